#pragma once
// The common part of every feedback message (RFC 4585 §6.1), RTPFB (205) or PSFB (206):
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |V=2|P|   FMT   |       PT      |          length               |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                  SSRC of packet sender                        |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                  SSRC of media source                         |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// :            Feedback Control Information (FCI)                 :
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "rtc/rtp/BigEndian.hpp"
#include "rtc/rtp/RtcpPacketView.hpp"

namespace onair::rtc::rtp {

struct FeedbackHeader {
  static constexpr size_t kBytes = 8;  // after the common RTCP header

  uint32_t senderSsrc = 0;
  uint32_t mediaSsrc = 0;
  std::span<const uint8_t> fci;  // a view into the packet

  // nullopt unless `view` is of `type` with FMT `format` and holds both SSRCs.
  static std::optional<FeedbackHeader> parse(const RtcpPacketView& view, uint8_t type, uint8_t format) {
    if (view.type != type || view.count != format || view.body.size() < kBytes) return std::nullopt;
    return FeedbackHeader{read32(&view.body[0]), read32(&view.body[4]), view.body.subspan(kBytes)};
  }
};

}  // namespace onair::rtc::rtp
