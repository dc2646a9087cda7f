#include "rtc/srtp/SrtpSession.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "../dtls/DtlsPair.hpp"

using namespace onair::rtc::srtp;
using onair::rtc::dtls::testing::DtlsPair;
using Error = SrtpSession::Error;

namespace {

// RFC 3550 §5.1: V=2, no padding/extension/CSRC, then PT, sequence, timestamp, SSRC, payload.
std::vector<uint8_t> rtpPacket(uint16_t sequence, uint32_t ssrc = 0x11223344, size_t payloadBytes = 160) {
  std::vector<uint8_t> packet{0x80, 111, static_cast<uint8_t>(sequence >> 8), static_cast<uint8_t>(sequence), 0, 0, 3,
                              0xc0, static_cast<uint8_t>(ssrc >> 24), static_cast<uint8_t>(ssrc >> 16),
                              static_cast<uint8_t>(ssrc >> 8), static_cast<uint8_t>(ssrc)};
  for (size_t i = 0; i < payloadBytes; ++i) packet.push_back(static_cast<uint8_t>(i * 7 + sequence));
  return packet;
}

// RFC 3550 §6.4.2: an empty receiver report (RC=0) from `ssrc`.
std::vector<uint8_t> rtcpReceiverReport(uint32_t ssrc = 0x55667788) {
  return {0x80, 201, 0, 1, static_cast<uint8_t>(ssrc >> 24), static_cast<uint8_t>(ssrc >> 16),
          static_cast<uint8_t>(ssrc >> 8), static_cast<uint8_t>(ssrc)};
}

// A caller buffer as the packet path has one: the packet, then room for the trailer.
struct Buffer {
  std::array<uint8_t, 1500> bytes{};
  size_t length = 0;
  explicit Buffer(const std::vector<uint8_t>& packet) : length(packet.size()) {
    std::copy(packet.begin(), packet.end(), bytes.begin());
  }
  std::vector<uint8_t> packet() const { return {bytes.begin(), bytes.begin() + length}; }
};

// The four sessions of one transport pair, keyed by a real DTLS handshake.
struct KeyedSessions {
  std::unique_ptr<SrtpSession> clientOut, clientIn, serverOut, serverIn;
};

KeyedSessions handshake(SrtpProfile profile) {
  DtlsPair pair({}, {profile});
  pair.start();
  pair.pump();
  EXPECT_TRUE(pair.bothConnected());
  EXPECT_EQ(pair.clientEnd.profile, profile);
  return {SrtpSession::create(SrtpSession::Direction::Outbound, profile, pair.clientEnd.localKey),
          SrtpSession::create(SrtpSession::Direction::Inbound, profile, pair.clientEnd.remoteKey),
          SrtpSession::create(SrtpSession::Direction::Outbound, profile, pair.serverEnd.localKey),
          SrtpSession::create(SrtpSession::Direction::Inbound, profile, pair.serverEnd.remoteKey)};
}

class SrtpSessionTest : public ::testing::TestWithParam<SrtpProfile> {};

}  // namespace

TEST_P(SrtpSessionTest, RtpRoundTripsBothWaysWithTheHandshakesKeys) {
  auto sessions = handshake(GetParam());
  ASSERT_TRUE(sessions.clientOut && sessions.clientIn && sessions.serverOut && sessions.serverIn);

  for (uint16_t sequence = 1000; sequence < 1005; ++sequence) {
    const auto original = rtpPacket(sequence);
    Buffer up(original);
    ASSERT_EQ(sessions.clientOut->protectRtp(up.bytes, up.length), Error::None);
    EXPECT_GT(up.length, original.size());
    EXPECT_NE(up.packet(), original);
    ASSERT_EQ(sessions.serverIn->unprotectRtp(up.bytes, up.length), Error::None);
    EXPECT_EQ(up.packet(), original);

    Buffer down(original);
    ASSERT_EQ(sessions.serverOut->protectRtp(down.bytes, down.length), Error::None);
    ASSERT_EQ(sessions.clientIn->unprotectRtp(down.bytes, down.length), Error::None);
    EXPECT_EQ(down.packet(), original);
  }
}

TEST_P(SrtpSessionTest, RtcpRoundTrips) {
  auto sessions = handshake(GetParam());
  const auto original = rtcpReceiverReport();
  Buffer buffer(original);
  ASSERT_EQ(sessions.serverOut->protectRtcp(buffer.bytes, buffer.length), Error::None);
  EXPECT_GT(buffer.length, original.size());
  ASSERT_EQ(sessions.clientIn->unprotectRtcp(buffer.bytes, buffer.length), Error::None);
  EXPECT_EQ(buffer.packet(), original);
}

TEST_P(SrtpSessionTest, AReplayedPacketIsRefused) {
  auto sessions = handshake(GetParam());
  Buffer sent(rtpPacket(7));
  ASSERT_EQ(sessions.clientOut->protectRtp(sent.bytes, sent.length), Error::None);
  Buffer replay = sent;

  ASSERT_EQ(sessions.serverIn->unprotectRtp(sent.bytes, sent.length), Error::None);
  EXPECT_EQ(sessions.serverIn->unprotectRtp(replay.bytes, replay.length), Error::Replay);

  Buffer rtcp(rtcpReceiverReport());
  ASSERT_EQ(sessions.clientOut->protectRtcp(rtcp.bytes, rtcp.length), Error::None);
  Buffer rtcpReplay = rtcp;
  ASSERT_EQ(sessions.serverIn->unprotectRtcp(rtcp.bytes, rtcp.length), Error::None);
  EXPECT_EQ(sessions.serverIn->unprotectRtcp(rtcpReplay.bytes, rtcpReplay.length), Error::Replay);
}

TEST_P(SrtpSessionTest, ATamperedPacketFailsAuthentication) {
  auto sessions = handshake(GetParam());
  Buffer buffer(rtpPacket(42));
  ASSERT_EQ(sessions.clientOut->protectRtp(buffer.bytes, buffer.length), Error::None);
  buffer.bytes[20] ^= 0x01;  // one payload bit
  const size_t length = buffer.length;
  EXPECT_EQ(sessions.serverIn->unprotectRtp(buffer.bytes, buffer.length), Error::AuthFail);
  EXPECT_EQ(buffer.length, length);

  // The untampered packet with the same sequence still goes through: a failure is not a replay.
  Buffer again(rtpPacket(42));
  ASSERT_EQ(sessions.clientOut->protectRtp(again.bytes, again.length), Error::None);
  EXPECT_EQ(sessions.serverIn->unprotectRtp(again.bytes, again.length), Error::None);
}

TEST_P(SrtpSessionTest, KeysOfTheOtherDirectionDoNotAuthenticate) {
  auto sessions = handshake(GetParam());
  Buffer buffer(rtpPacket(5));
  ASSERT_EQ(sessions.clientOut->protectRtp(buffer.bytes, buffer.length), Error::None);
  EXPECT_EQ(sessions.clientIn->unprotectRtp(buffer.bytes, buffer.length), Error::AuthFail);
}

TEST_P(SrtpSessionTest, BadLengthsAreRefusedBeforeLibsrtpSeesThem) {
  auto sessions = handshake(GetParam());
  Buffer shortPacket(std::vector<uint8_t>{0x80, 111, 0, 1});
  EXPECT_EQ(sessions.clientOut->protectRtp(shortPacket.bytes, shortPacket.length), Error::BadLength);
  EXPECT_EQ(sessions.serverIn->unprotectRtp(shortPacket.bytes, shortPacket.length), Error::BadLength);
  EXPECT_EQ(sessions.serverIn->unprotectRtcp(shortPacket.bytes, shortPacket.length), Error::BadLength);

  // No room for the tag past the packet.
  auto packet = rtpPacket(9);
  size_t length = packet.size();
  EXPECT_EQ(sessions.clientOut->protectRtp(packet, length), Error::BadLength);
  // A length beyond the buffer.
  length = packet.size() + 1;
  EXPECT_EQ(sessions.serverIn->unprotectRtp(packet, length), Error::BadLength);
}

INSTANTIATE_TEST_SUITE_P(BothProfiles, SrtpSessionTest,
                         ::testing::Values(SrtpProfile::AeadAes128Gcm, SrtpProfile::AesCm128HmacSha1_80),
                         [](const auto& info) {
                           return info.param == SrtpProfile::AeadAes128Gcm ? "AeadAes128Gcm" : "AesCm128HmacSha1_80";
                         });

TEST(SrtpSession, RefusesAKeyOfTheWrongLength) {
  const std::vector<uint8_t> key(SrtpProfileInfo::masterBytes(SrtpProfile::AeadAes128Gcm) + 1, 1);
  EXPECT_EQ(SrtpSession::create(SrtpSession::Direction::Inbound, SrtpProfile::AeadAes128Gcm, key), nullptr);
  EXPECT_EQ(SrtpSession::create(SrtpSession::Direction::Outbound, SrtpProfile::AesCm128HmacSha1_80, key), nullptr);
}

TEST(SrtpSession, ErrorNamesAreStableLabels) {
  EXPECT_EQ(SrtpSession::name(Error::Replay), "replay");
  EXPECT_EQ(SrtpSession::name(Error::AuthFail), "auth_fail");
  EXPECT_EQ(SrtpSession::name(Error::BadLength), "bad_length");
}
