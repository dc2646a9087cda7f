#include "rtc/rtp/ByePacket.hpp"

#include "rtc/rtp/BigEndian.hpp"
#include "rtc/rtp/RtcpType.hpp"

namespace onair::rtc::rtp {

std::optional<ByePacket> ByePacket::parse(const RtcpPacketView& view) {
  const auto body = view.body;
  if (view.type != rtcptype::Bye) return std::nullopt;
  const size_t sourcesBytes = 4 * size_t(view.count);
  if (body.size() < sourcesBytes) return std::nullopt;
  ByePacket bye;
  bye.ssrcs.reserve(view.count);
  for (size_t pos = 0; pos < sourcesBytes; pos += 4) bye.ssrcs.push_back(read32(&body[pos]));
  // The reason, when the body goes on.
  if (body.size() > sourcesBytes) {
    const size_t length = body[sourcesBytes];
    if (sourcesBytes + 1 + length > body.size()) return std::nullopt;
    bye.reason = {reinterpret_cast<const char*>(&body[sourcesBytes + 1]), length};
  }
  return bye;
}

}  // namespace onair::rtc::rtp
