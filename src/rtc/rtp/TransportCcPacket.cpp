#include "rtc/rtp/TransportCcPacket.hpp"

#include "rtc/rtp/BigEndian.hpp"
#include "rtc/rtp/FeedbackHeader.hpp"
#include "rtc/rtp/RtcpType.hpp"

namespace onair::rtc::rtp {

std::optional<TransportCcPacket> TransportCcPacket::parse(const RtcpPacketView& view) {
  const auto header = FeedbackHeader::parse(view, rtcptype::TransportFeedback, rtcptype::TransportWideCc);
  if (!header || header->fci.size() < kFixedBytes) return std::nullopt;
  const auto fci = header->fci;
  TransportCcPacket cc;
  cc.senderSsrc = header->senderSsrc;
  cc.mediaSsrc = header->mediaSsrc;
  cc.baseSequence = read16(&fci[0]);
  cc.packetStatusCount = read16(&fci[2]);
  const uint32_t reference = read24(&fci[4]);
  cc.referenceTime = (reference & 0x800000) != 0 ? int32_t(reference) - 0x1000000 : int32_t(reference);
  cc.feedbackPacketCount = fci[7];
  cc.chunks = fci.subspan(kFixedBytes);
  return cc;
}

}  // namespace onair::rtc::rtp
