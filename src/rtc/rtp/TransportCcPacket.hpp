#pragma once
// Transport-wide congestion control feedback
// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1): RTPFB (205) with FMT 15. Only the
// fields before the packet chunks are read here:
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |V=2|P|  FMT=15 |    PT=205     |           length              |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                     SSRC of packet sender                     |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                      SSRC of media source                     |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |      base sequence number     |      packet status count      |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                 reference time                | fb pkt. count |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |          packet chunk         |         packet chunk          |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// The reference time is a signed 24-bit count of 64 ms.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "rtc/rtp/RtcpPacketView.hpp"

namespace onair::rtc::rtp {

struct TransportCcPacket {
  static constexpr size_t kFixedBytes = 8;  // after the feedback header

  uint32_t senderSsrc = 0;
  uint32_t mediaSsrc = 0;
  uint16_t baseSequence = 0;
  uint16_t packetStatusCount = 0;  // how many packets, from baseSequence on, the feedback covers
  int32_t referenceTime = 0;       // in 64 ms units
  uint8_t feedbackPacketCount = 0;
  std::span<const uint8_t> chunks;  // the packet chunks and receive deltas, unparsed

  // nullopt unless `view` is a transport-wide-cc feedback holding the fixed fields.
  static std::optional<TransportCcPacket> parse(const RtcpPacketView& view);
};

}  // namespace onair::rtc::rtp
