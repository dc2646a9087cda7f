#include "rtc/rtp/RtcpCompound.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "RtpTestData.hpp"
#include "rtc/rtp/RtcpType.hpp"

using namespace onair::rtc::rtp;
using namespace onair::rtc::rtp::testdata;
using Error = RtcpCompound::Error;

namespace {

// Every packet the walk returns, then the error it stopped with.
struct Walk {
  std::vector<RtcpPacketView> packets;
  Error error = Error::None;
};

Walk walk(const std::vector<uint8_t>& bytes) {
  Walk w;
  RtcpCompound compound(bytes);
  while (auto view = compound.next()) w.packets.push_back(*view);
  w.error = compound.error();
  EXPECT_FALSE(compound.next());  // stays stopped
  return w;
}

// RR with no blocks, SDES with one CNAME chunk, BYE: a typical compound (RFC 3550 §6.1).
const std::vector<uint8_t> kCompound = hex(
    "80 c9 00 01 11 22 33 44"
    "81 ca 00 03 11 22 33 44 01 03 61 62 63 00 00 00"
    "81 cb 00 01 11 22 33 44");

}  // namespace

TEST(RtcpCompound, WalksEveryPacket) {
  const auto w = walk(kCompound);
  EXPECT_EQ(w.error, Error::None);
  ASSERT_EQ(w.packets.size(), 3u);
  EXPECT_EQ(w.packets[0].type, rtcptype::ReceiverReport);
  EXPECT_EQ(w.packets[0].count, 0);
  EXPECT_EQ(w.packets[0].bytes.size(), 8u);
  EXPECT_EQ(w.packets[0].body.size(), 4u);
  EXPECT_EQ(w.packets[1].type, rtcptype::SourceDescription);
  EXPECT_EQ(w.packets[1].count, 1);
  EXPECT_EQ(w.packets[1].body.size(), 12u);
  EXPECT_EQ(w.packets[2].type, rtcptype::Bye);
  EXPECT_EQ(w.packets[2].bytes.data(), kCompound.data() + 24);
}

TEST(RtcpCompound, RemovesPaddingFromTheBody) {
  // A PLI padded by 4 bytes: length 3 words + header.
  const auto w = walk(hex("a1 ce 00 03 00 00 00 01 00 00 00 02 00 00 00 04"));
  EXPECT_EQ(w.error, Error::None);
  ASSERT_EQ(w.packets.size(), 1u);
  EXPECT_EQ(w.packets[0].bytes.size(), 16u);
  EXPECT_EQ(w.packets[0].body.size(), 8u);
}

TEST(RtcpCompound, StopsAtTheFirstBadPacketAndKeepsThoseBefore) {
  auto truncated = kCompound;
  truncated.resize(truncated.size() - 2);
  auto w = walk(truncated);
  EXPECT_EQ(w.error, Error::BadLength);
  EXPECT_EQ(w.packets.size(), 2u);

  auto badVersion = kCompound;
  badVersion[8] = 0x41;
  w = walk(badVersion);
  EXPECT_EQ(w.error, Error::BadVersion);
  EXPECT_EQ(w.packets.size(), 1u);

  auto trailing = kCompound;
  trailing.push_back(0x80);
  w = walk(trailing);
  EXPECT_EQ(w.error, Error::TooShort);
  EXPECT_EQ(w.packets.size(), 3u);
}

TEST(RtcpCompound, RefusesBadPaddingEmptyAndOversizedInput) {
  EXPECT_EQ(walk(hex("a0 c9 00 01 11 22 33 00")).error, Error::BadPadding);  // count 0
  EXPECT_EQ(walk(hex("a0 c9 00 01 11 22 33 05")).error, Error::BadPadding);  // past the body
  EXPECT_EQ(walk(hex("a0 c9 00 01 11 22 33 04")).error, Error::None);        // the whole body
  EXPECT_EQ(walk({}).error, Error::TooShort);
  EXPECT_EQ(walk(hex("80 c9 00")).error, Error::TooShort);
  EXPECT_EQ(walk(std::vector<uint8_t>(RtcpCompound::kMaxBytes + 4, 0x80)).error, Error::TooLong);
  for (auto e : {Error::None, Error::TooShort, Error::TooLong, Error::BadVersion, Error::BadLength, Error::BadPadding}) {
    EXPECT_NE(RtcpCompound::describe(e), "unknown");
  }
}
