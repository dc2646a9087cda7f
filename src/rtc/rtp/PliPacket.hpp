#pragma once
// Picture Loss Indication (RFC 4585 §6.3.1): PSFB (206) with FMT 1 and no FCI, only the feedback
// header (FeedbackHeader.hpp). The media source is the stream whose picture the receiver lost.
#include <cstdint>
#include <optional>

#include "rtc/rtp/RtcpPacketView.hpp"

namespace onair::rtc::rtp {

struct PliPacket {
  uint32_t senderSsrc = 0;
  uint32_t mediaSsrc = 0;

  // nullopt unless `view` is a PLI (an FCI, which the RFC does not define, is ignored).
  static std::optional<PliPacket> parse(const RtcpPacketView& view);
};

}  // namespace onair::rtc::rtp
