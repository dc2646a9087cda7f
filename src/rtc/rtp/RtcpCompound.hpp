#pragma once
// Walks the RTCP packets of a compound packet (RFC 3550 §6.1), one RtcpPacketView at a time. The
// header diagram is in RtcpPacketView.hpp.
//
// Contract: pure and bounded (at most kMaxBytes, no allocation). Each header is checked (version
// 2, a length that fits, a padding count that fits the packet) before its packet is returned; at
// the first bad one the walk stops for good and error() says why, so a caller acts on the packets
// before it and counts the rest as dropped. Reduced-size RTCP (RFC 5506) is accepted: the first
// packet need not be a report. Padding is accepted on any packet, not only the last.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "rtc/rtp/RtcpPacketView.hpp"

namespace onair::rtc::rtp {

class RtcpCompound {
 public:
  static constexpr size_t kMaxBytes = 1500;  // one Ethernet-MTU datagram after SRTCP unprotect

  enum class Error : uint8_t {
    None,
    TooShort,    // less than a 4-byte header left (an empty datagram included)
    TooLong,     // the compound packet is over kMaxBytes
    BadVersion,  // V is not 2
    BadLength,   // length runs past the end
    BadPadding,  // P set with a count of 0 or more than the packet's body
  };

  explicit RtcpCompound(std::span<const uint8_t> bytes);

  // The next packet, or nullopt at the end or at the first bad header (then error() is set).
  std::optional<RtcpPacketView> next();
  Error error() const { return error_; }
  static std::string_view describe(Error error);

 private:
  std::span<const uint8_t> rest_;
  Error error_ = Error::None;
};

}  // namespace onair::rtc::rtp
