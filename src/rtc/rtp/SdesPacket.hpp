#pragma once
// A source description (RFC 3550 §6.5), PT = 202, SC chunks, each starting on a 32-bit boundary:
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |V=2|P|    SC   |  PT=SDES=202  |             length            |
// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
// |                          SSRC/CSRC_1                          |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                           SDES items                          |
// |                              ...                              |
// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
// An item is |type|length|text...| (CNAME is type 1, §6.5.1); a 0 type byte ends the chunk's
// items and zeros pad the chunk to the next 32-bit boundary.
//
// Contract: only the CNAME of each chunk is kept (as a view into the packet; empty when absent);
// other items are skipped. A chunk without its end byte, or an item running past the body, makes
// the packet malformed.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "rtc/rtp/RtcpPacketView.hpp"

namespace onair::rtc::rtp {

struct SdesPacket {
  static constexpr uint8_t kEnd = 0;
  static constexpr uint8_t kCname = 1;

  struct Chunk {
    uint32_t ssrc = 0;
    std::string_view cname;
  };
  std::vector<Chunk> chunks;

  static std::optional<SdesPacket> parse(const RtcpPacketView& view);
};

}  // namespace onair::rtc::rtp
