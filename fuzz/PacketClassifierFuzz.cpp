// fuzz_packet_classifier: the first look at every UDP datagram of a WebRTC port. Invariants: the
// classification reads nothing past the input, agrees with the per-kind checks and with RFC 7983's
// first-byte ranges, and a datagram classified as STUN can go to the ICE-lite responder (what a
// transport does with it) without a crash.
#include <cstddef>
#include <cstdint>
#include <span>

#include "rtc/PacketClassifier.hpp"
#include "rtc/ice/IceLiteResponder.hpp"
#include "FuzzCheck.hpp"

using onair::rtc::PacketClassifier;
using Kind = PacketClassifier::Kind;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> packet(data, size);
  static onair::rtc::ice::IceLiteResponder responder{"fuzz", "fuzz-password-0123456789"};

  const Kind kind = PacketClassifier::classify(packet);
  const int first = size > 0 ? data[0] : -1;
  switch (kind) {
    case Kind::Stun:
      check(PacketClassifier::isStun(packet) && first >= 0 && first <= 3 && size >= 20);
      responder.handle(packet, *onair::rtc::ice::StunAddress::fromText("192.0.2.1", 5000));
      break;
    case Kind::Dtls:
      check(PacketClassifier::isDtls(packet) && first >= 20 && first <= 63 && size >= 13);
      break;
    case Kind::Rtp:
      check(PacketClassifier::isRtp(packet) && first >= 128 && first <= 191 && size >= 12);
      check(data[1] < 192 || data[1] > 223);
      break;
    case Kind::Rtcp:
      check(PacketClassifier::isRtcp(packet) && first >= 128 && first <= 191 && size >= 4);
      check(data[1] >= 192 && data[1] <= 223);
      break;
    case Kind::Unknown:
      check(!PacketClassifier::isStun(packet) && !PacketClassifier::isDtls(packet) &&
            !PacketClassifier::isRtp(packet) && !PacketClassifier::isRtcp(packet));
      break;
  }
  check(!PacketClassifier::name(kind).empty());
  return 0;
}
