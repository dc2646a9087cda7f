#include "rtc/PacketClassifier.hpp"

namespace onair::rtc {

namespace {
// RTP and RTCP share the first byte: version 2 in the top two bits (RFC 3550 §5.1, §6.4).
bool isRtpOrRtcpFirstByte(uint8_t b) { return b >= 128 && b <= 191; }
// RFC 5761 §4: with rtcp-mux, RTCP packet types 192..223 never collide with RTP payload types.
bool isRtcpPacketType(uint8_t b) { return b >= 192 && b <= 223; }
}  // namespace

bool PacketClassifier::isStun(std::span<const uint8_t> p) noexcept {
  // Header size, a first byte in 0..3 (the two zero bits of every STUN message), and the magic
  // cookie 0x2112A442 (RFC 8489 §5), which mediasoup also requires before calling it STUN.
  return p.size() >= kStunHeaderBytes && p[0] <= 3 && p[4] == 0x21 && p[5] == 0x12 && p[6] == 0xA4 &&
         p[7] == 0x42;
}

bool PacketClassifier::isDtls(std::span<const uint8_t> p) noexcept {
  return p.size() >= kDtlsRecordHeaderBytes && p[0] >= 20 && p[0] <= 63;
}

bool PacketClassifier::isRtcp(std::span<const uint8_t> p) noexcept {
  return p.size() >= kRtcpHeaderBytes && isRtpOrRtcpFirstByte(p[0]) && isRtcpPacketType(p[1]);
}

bool PacketClassifier::isRtp(std::span<const uint8_t> p) noexcept {
  return p.size() >= kRtpHeaderBytes && isRtpOrRtcpFirstByte(p[0]) && !isRtcpPacketType(p[1]);
}

PacketClassifier::Kind PacketClassifier::classify(std::span<const uint8_t> p) noexcept {
  // Media first: it is nearly all of the traffic once a transport is up.
  if (isRtp(p)) return Kind::Rtp;
  if (isRtcp(p)) return Kind::Rtcp;
  if (isStun(p)) return Kind::Stun;
  if (isDtls(p)) return Kind::Dtls;
  return Kind::Unknown;
}

std::string_view PacketClassifier::name(Kind kind) noexcept {
  switch (kind) {
    case Kind::Stun: return "stun";
    case Kind::Dtls: return "dtls";
    case Kind::Rtp: return "rtp";
    case Kind::Rtcp: return "rtcp";
    case Kind::Unknown: break;
  }
  return "unknown";
}

}  // namespace onair::rtc
