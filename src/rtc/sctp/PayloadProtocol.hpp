#pragma once
// SCTP payload protocol identifiers of WebRTC data channels (RFC 8831 §8, RFC 8832 §8.1). An
// empty message cannot be sent in SCTP, so it travels as one byte with an "empty" identifier.
#include <cstdint>

namespace onair::rtc::sctp {

enum class PayloadProtocol : uint32_t {
  Dcep = 50,
  String = 51,
  Binary = 53,
  StringEmpty = 56,
  BinaryEmpty = 57,
};

}  // namespace onair::rtc::sctp
