#include "rtc/rtp/PliPacket.hpp"

#include "rtc/rtp/FeedbackHeader.hpp"
#include "rtc/rtp/RtcpType.hpp"

namespace onair::rtc::rtp {

std::optional<PliPacket> PliPacket::parse(const RtcpPacketView& view) {
  const auto header = FeedbackHeader::parse(view, rtcptype::PayloadFeedback, rtcptype::PictureLossIndication);
  if (!header) return std::nullopt;
  return PliPacket{header->senderSsrc, header->mediaSsrc};
}

}  // namespace onair::rtc::rtp
