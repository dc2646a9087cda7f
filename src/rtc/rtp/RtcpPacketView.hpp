#pragma once
// One RTCP packet of a compound packet, as RtcpCompound found it (RFC 3550 §6.4.1 header):
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |V=2|P|    RC   |   PT          |             length            |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// length: the packet's size in 32-bit words minus one. RC is the report or chunk count, or the
// feedback message type (FMT) in RTPFB/PSFB. With P set the last byte counts the padding.
// The spans point into the compound packet's bytes.
#include <cstdint>
#include <span>

namespace onair::rtc::rtp {

struct RtcpPacketView {
  static constexpr size_t kHeaderBytes = 4;

  uint8_t type = 0;
  uint8_t count = 0;                 // RC, SC or FMT
  std::span<const uint8_t> bytes;    // the whole packet, header and padding included
  std::span<const uint8_t> body;     // after the header, without padding
};

}  // namespace onair::rtc::rtp
