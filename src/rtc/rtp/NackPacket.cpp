#include "rtc/rtp/NackPacket.hpp"

#include "rtc/rtp/BigEndian.hpp"
#include "rtc/rtp/FeedbackHeader.hpp"
#include "rtc/rtp/RtcpType.hpp"

namespace onair::rtc::rtp {

std::optional<NackPacket> NackPacket::parse(const RtcpPacketView& view) {
  const auto header = FeedbackHeader::parse(view, rtcptype::TransportFeedback, rtcptype::GenericNack);
  if (!header || header->fci.empty() || header->fci.size() % kEntryBytes != 0) return std::nullopt;
  NackPacket nack;
  nack.senderSsrc = header->senderSsrc;
  nack.mediaSsrc = header->mediaSsrc;
  for (size_t pos = 0; pos < header->fci.size(); pos += kEntryBytes) {
    const uint16_t pid = read16(&header->fci[pos]);
    const uint16_t blp = read16(&header->fci[pos + 2]);
    nack.lost.push_back(pid);
    for (unsigned bit = 0; bit < 16; ++bit) {
      if ((blp >> bit) & 1) nack.lost.push_back(uint16_t(pid + bit + 1));
    }
  }
  return nack;
}

}  // namespace onair::rtc::rtp
