#include "rtc/rtp/SenderReport.hpp"

#include "rtc/rtp/BigEndian.hpp"
#include "rtc/rtp/RtcpType.hpp"

namespace onair::rtc::rtp {

std::optional<SenderReport> SenderReport::parse(const RtcpPacketView& view) {
  const auto body = view.body;
  if (view.type != rtcptype::SenderReport) return std::nullopt;
  if (body.size() < kSenderInfoBytes + view.count * ReportBlock::kBytes) return std::nullopt;
  SenderReport sr;
  sr.ssrc = read32(&body[0]);
  sr.ntpTimestamp = read64(&body[4]);
  sr.rtpTimestamp = read32(&body[12]);
  sr.packetCount = read32(&body[16]);
  sr.octetCount = read32(&body[20]);
  sr.reports.reserve(view.count);
  for (size_t i = 0; i < view.count; ++i) {
    sr.reports.push_back(ReportBlock::read(&body[kSenderInfoBytes + i * ReportBlock::kBytes]));
  }
  return sr;
}

}  // namespace onair::rtc::rtp
