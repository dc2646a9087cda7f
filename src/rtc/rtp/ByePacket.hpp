#pragma once
// Goodbye (RFC 3550 §6.6), PT = 203, SC sources leaving, then an optional reason:
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |V=2|P|    SC   |   PT=BYE=203  |             length            |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                           SSRC/CSRC                           |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// :                              ...                              :
// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
// |     length    |               reason for leaving            ...  (opt)
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "rtc/rtp/RtcpPacketView.hpp"

namespace onair::rtc::rtp {

struct ByePacket {
  std::vector<uint32_t> ssrcs;
  std::string_view reason;  // a view into the packet; empty when absent

  // nullopt unless `view` is a BYE holding SC sources (and a reason that fits, if any).
  static std::optional<ByePacket> parse(const RtcpPacketView& view);
};

}  // namespace onair::rtc::rtp
