#include "rtc/rtp/FirPacket.hpp"

#include "rtc/rtp/BigEndian.hpp"
#include "rtc/rtp/FeedbackHeader.hpp"
#include "rtc/rtp/RtcpType.hpp"

namespace onair::rtc::rtp {

std::optional<FirPacket> FirPacket::parse(const RtcpPacketView& view) {
  const auto header = FeedbackHeader::parse(view, rtcptype::PayloadFeedback, rtcptype::FullIntraRequest);
  if (!header || header->fci.empty() || header->fci.size() % kEntryBytes != 0) return std::nullopt;
  FirPacket fir;
  fir.senderSsrc = header->senderSsrc;
  for (size_t pos = 0; pos < header->fci.size(); pos += kEntryBytes) {
    fir.entries.push_back({read32(&header->fci[pos]), header->fci[pos + 4]});
  }
  return fir;
}

}  // namespace onair::rtc::rtp
