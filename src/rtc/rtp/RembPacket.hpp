#pragma once
// Receiver Estimated Maximum Bitrate (draft-alvestrand-rmcat-remb-03 §2.2): an application-layer
// feedback message, PSFB (206) with FMT 15, media SSRC 0, then:
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  Unique identifier 'R' 'E' 'M' 'B'                            |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  Num SSRC     | BR Exp    |  BR Mantissa                      |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |   SSRC feedback                                               |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  ...                                                          |
// bitrate = mantissa (18 bits) × 2^exp (6 bits) in bits per second.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "rtc/rtp/RtcpPacketView.hpp"

namespace onair::rtc::rtp {

struct RembPacket {
  static constexpr size_t kFixedBytes = 8;  // 'REMB', count, exponent and mantissa

  uint32_t senderSsrc = 0;
  // Bits per second; saturates at UINT64_MAX when mantissa × 2^exp does not fit.
  uint64_t bitrate = 0;
  std::vector<uint32_t> ssrcs;

  // nullopt unless `view` is an application-layer feedback starting 'REMB' with Num SSRC SSRCs.
  static std::optional<RembPacket> parse(const RtcpPacketView& view);
};

}  // namespace onair::rtc::rtp
