#include "rtc/rtp/ReceiverReport.hpp"

#include "rtc/rtp/BigEndian.hpp"
#include "rtc/rtp/RtcpType.hpp"

namespace onair::rtc::rtp {

std::optional<ReceiverReport> ReceiverReport::parse(const RtcpPacketView& view) {
  const auto body = view.body;
  if (view.type != rtcptype::ReceiverReport) return std::nullopt;
  if (body.size() < 4 + view.count * ReportBlock::kBytes) return std::nullopt;
  ReceiverReport rr;
  rr.ssrc = read32(&body[0]);
  rr.reports.reserve(view.count);
  for (size_t i = 0; i < view.count; ++i) rr.reports.push_back(ReportBlock::read(&body[4 + i * ReportBlock::kBytes]));
  return rr;
}

}  // namespace onair::rtc::rtp
