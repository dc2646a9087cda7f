#include "rtc/rtp/RtxPacket.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "RtpTestData.hpp"

using namespace onair::rtc::rtp;
using namespace onair::rtc::rtp::testdata;

namespace {

std::vector<uint8_t> data(std::span<const uint8_t> s) { return {s.begin(), s.end()}; }

RtpSpec original() {
  RtpSpec s;
  s.payloadType = 96;
  s.marker = true;
  s.seq = 0xBEEF;
  s.timestamp = 90000;
  s.ssrc = 0x11111111;
  s.csrcs = {0x33333333};
  s.hasExtension = true;
  s.extension = hex("10 aa 00 00");
  s.payload = {1, 2, 3, 4, 5, 6};
  s.padding = 2;
  return s;
}

}  // namespace

TEST(RtxPacket, WrapsWithTheOsnFirstAndTheRtxStreamsNumbers) {
  auto bytes = rtpBytes(original());
  const auto packet = RtpPacket::parse(bytes);
  ASSERT_TRUE(packet);
  std::array<uint8_t, RtpPacket::kMaxBytes> out{};
  const size_t size = RtxPacket::wrap(*packet, {0x22222222, 97}, 7, out);
  ASSERT_EQ(size, packet->headerBytes() + 2 + 6);

  const auto rtx = RtpPacket::parse(std::span(out).first(size));
  ASSERT_TRUE(rtx);
  EXPECT_EQ(rtx->ssrc(), 0x22222222u);
  EXPECT_EQ(rtx->payloadType(), 97);
  EXPECT_EQ(rtx->sequenceNumber(), 7);
  EXPECT_EQ(rtx->timestamp(), 90000u);
  EXPECT_TRUE(rtx->marker());
  EXPECT_EQ(rtx->csrc(0), 0x33333333u);
  EXPECT_EQ(data(*rtx->extension(1)), hex("aa"));
  EXPECT_EQ(rtx->paddingBytes(), 0u);
  EXPECT_EQ(data(rtx->payload()), hex("be ef 01 02 03 04 05 06"));
}

TEST(RtxPacket, UnwrapRestoresTheOriginal) {
  auto bytes = rtpBytes(original());
  const auto packet = RtpPacket::parse(bytes);
  ASSERT_TRUE(packet);
  std::vector<uint8_t> out(RtpPacket::kMaxBytes);
  out.resize(RtxPacket::wrap(*packet, {0x22222222, 97}, 7, out));

  const auto restored = RtxPacket::unwrap(out, {0x11111111, 96});
  ASSERT_TRUE(restored);
  EXPECT_EQ(restored->ssrc(), 0x11111111u);
  EXPECT_EQ(restored->payloadType(), 96);
  EXPECT_EQ(restored->sequenceNumber(), 0xBEEF);
  EXPECT_EQ(restored->timestamp(), 90000u);
  EXPECT_TRUE(restored->marker());
  EXPECT_EQ(data(*restored->extension(1)), hex("aa"));
  EXPECT_EQ(data(restored->payload()), (std::vector<uint8_t>{1, 2, 3, 4, 5, 6}));
  // The original without its padding.
  auto expected = original();
  expected.padding = 0;
  EXPECT_EQ(data(restored->bytes()), rtpBytes(expected));
}

TEST(RtxPacket, UnwrapDropsTheRtxPadding) {
  RtpSpec s;
  s.payload = hex("00 05 aa bb");
  s.padding = 3;
  auto bytes = rtpBytes(s);
  const auto restored = RtxPacket::unwrap(bytes, {1, 96});
  ASSERT_TRUE(restored);
  EXPECT_EQ(restored->sequenceNumber(), 5);
  EXPECT_EQ(restored->paddingBytes(), 0u);
  EXPECT_EQ(data(restored->payload()), hex("aa bb"));
}

TEST(RtxPacket, UnwrapRefusesAPayloadShorterThanTheOsn) {
  RtpSpec s;
  s.payload = {0x01};
  auto one = rtpBytes(s);
  EXPECT_FALSE(RtxPacket::unwrap(one, {1, 96}));
  s.payload = {};
  s.padding = 8;  // padding only: a probe, nothing to recover
  auto probe = rtpBytes(s);
  EXPECT_FALSE(RtxPacket::unwrap(probe, {1, 96}));
  auto garbage = hex("00 01 02");
  EXPECT_FALSE(RtxPacket::unwrap(garbage, {1, 96}));
}

TEST(RtxPacket, WrapReturnsZeroWithoutRoom) {
  auto bytes = rtpBytes(original());
  const auto packet = RtpPacket::parse(bytes);
  ASSERT_TRUE(packet);
  std::vector<uint8_t> small(packet->headerBytes() + 2 + 5);
  EXPECT_EQ(RtxPacket::wrap(*packet, {2, 97}, 1, small), 0u);
  // A full-size original has no room for the OSN under the size limit.
  RtpSpec big;
  big.payload.assign(RtpPacket::kMaxBytes - RtpPacket::kHeaderBytes, 1);
  auto bigBytes = rtpBytes(big);
  const auto bigPacket = RtpPacket::parse(bigBytes);
  ASSERT_TRUE(bigPacket);
  std::vector<uint8_t> out(2 * RtpPacket::kMaxBytes);
  EXPECT_EQ(RtxPacket::wrap(*bigPacket, {2, 97}, 1, out), 0u);
}
