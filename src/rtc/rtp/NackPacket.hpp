#pragma once
// Generic NACK (RFC 4585 §6.2.1), RTPFB (205) with FMT 1, after the feedback header
// (FeedbackHeader.hpp) one or more FCI entries:
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |            PID                |             BLP               |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// PID is a lost sequence number; bit i of BLP (least significant first) says PID + i + 1 was
// lost too.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "rtc/rtp/RtcpPacketView.hpp"

namespace onair::rtc::rtp {

struct NackPacket {
  static constexpr size_t kEntryBytes = 4;

  uint32_t senderSsrc = 0;
  uint32_t mediaSsrc = 0;
  // The lost sequence numbers, entry by entry, each PID then its BLP bits in order. Bounded by
  // the packet: at most 17 per 4-byte entry.
  std::vector<uint16_t> lost;

  // nullopt unless `view` is a generic NACK whose FCI is one or more whole entries.
  static std::optional<NackPacket> parse(const RtcpPacketView& view);
};

}  // namespace onair::rtc::rtp
