#include "rtc/PacketClassifier.hpp"

#include <gtest/gtest.h>

#include <vector>

using onair::rtc::PacketClassifier;
using Kind = PacketClassifier::Kind;

namespace {

// A packet of `size` bytes starting with `first`, `second`, then a STUN magic cookie, so that
// only the first byte (and the size) decides between STUN and the rest.
std::vector<uint8_t> packet(uint8_t first, uint8_t second = 0, size_t size = 100) {
  std::vector<uint8_t> p(size, 0);
  const uint8_t head[] = {first, second, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42};
  for (size_t i = 0; i < std::min(size, sizeof head); ++i) p[i] = head[i];
  return p;
}

Kind classify(const std::vector<uint8_t>& p) { return PacketClassifier::classify(p); }

}  // namespace

TEST(PacketClassifier, FirstByteRangesFollowRfc7983) {
  // The reference: RFC 7983 §7 for the first byte, RFC 5761 §4 for RTCP's packet types; a
  // second byte of 96 is a typical RTP payload type.
  for (int b = 0; b < 256; ++b) {
    const auto first = static_cast<uint8_t>(b);
    Kind expected = Kind::Unknown;
    if (b <= 3) expected = Kind::Stun;
    else if (b >= 20 && b <= 63) expected = Kind::Dtls;
    else if (b >= 128 && b <= 191) expected = Kind::Rtp;
    EXPECT_EQ(classify(packet(first, 96)), expected) << "first byte " << b;
  }
}

TEST(PacketClassifier, RtcpIsToldFromRtpByThePacketType) {
  for (int second = 0; second < 256; ++second) {
    const bool rtcp = second >= 192 && second <= 223;
    EXPECT_EQ(classify(packet(0x80, static_cast<uint8_t>(second))), rtcp ? Kind::Rtcp : Kind::Rtp)
        << "second byte " << second;
  }
  EXPECT_EQ(classify(packet(0x81, 200)), Kind::Rtcp);  // a sender report with one report block
  EXPECT_EQ(classify(packet(0xBF, 206)), Kind::Rtcp);  // payload-specific feedback, FMT 31
  EXPECT_EQ(classify(packet(0x80, 0xE0)), Kind::Rtp);  // marker bit set, payload type 96
}

TEST(PacketClassifier, EachKindNeedsItsMinimumLength) {
  EXPECT_EQ(classify(packet(0x00, 0x01, 20)), Kind::Stun);
  EXPECT_EQ(classify(packet(0x00, 0x01, 19)), Kind::Unknown);
  EXPECT_EQ(classify(packet(22, 0xFE, 13)), Kind::Dtls);
  EXPECT_EQ(classify(packet(22, 0xFE, 12)), Kind::Unknown);
  EXPECT_EQ(classify(packet(0x80, 96, 12)), Kind::Rtp);
  EXPECT_EQ(classify(packet(0x80, 96, 11)), Kind::Unknown);
  EXPECT_EQ(classify(packet(0x80, 200, 4)), Kind::Rtcp);
  EXPECT_EQ(classify(packet(0x80, 200, 3)), Kind::Unknown);
  EXPECT_EQ(classify(packet(0x80, 200, 1)), Kind::Unknown);
  EXPECT_EQ(PacketClassifier::classify({}), Kind::Unknown);
}

TEST(PacketClassifier, StunNeedsTheMagicCookie) {
  auto p = packet(0x00, 0x01, 20);
  p[7] = 0x43;
  EXPECT_EQ(classify(p), Kind::Unknown);
  EXPECT_FALSE(PacketClassifier::isStun(p));
}

TEST(PacketClassifier, NamesAreStableLabels) {
  EXPECT_EQ(PacketClassifier::name(Kind::Stun), "stun");
  EXPECT_EQ(PacketClassifier::name(Kind::Dtls), "dtls");
  EXPECT_EQ(PacketClassifier::name(Kind::Rtp), "rtp");
  EXPECT_EQ(PacketClassifier::name(Kind::Rtcp), "rtcp");
  EXPECT_EQ(PacketClassifier::name(Kind::Unknown), "unknown");
}
