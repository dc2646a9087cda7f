#include "rtc/rtp/RembPacket.hpp"

#include <bit>
#include <limits>

#include "rtc/rtp/BigEndian.hpp"
#include "rtc/rtp/FeedbackHeader.hpp"
#include "rtc/rtp/RtcpType.hpp"

namespace onair::rtc::rtp {

namespace {

uint64_t bitrateOf(uint32_t mantissa, unsigned exponent) {
  // mantissa << exponent overflows 64 bits when the mantissa's width + exponent exceeds 64.
  if (mantissa != 0 && unsigned(std::bit_width(mantissa)) + exponent > 64) return std::numeric_limits<uint64_t>::max();
  return uint64_t(mantissa) << exponent;
}

}  // namespace

std::optional<RembPacket> RembPacket::parse(const RtcpPacketView& view) {
  const auto header = FeedbackHeader::parse(view, rtcptype::PayloadFeedback, rtcptype::ApplicationLayer);
  if (!header) return std::nullopt;
  const auto fci = header->fci;
  if (fci.size() < kFixedBytes || fci[0] != 'R' || fci[1] != 'E' || fci[2] != 'M' || fci[3] != 'B') return std::nullopt;
  const size_t count = fci[4];
  if (fci.size() < kFixedBytes + 4 * count) return std::nullopt;
  RembPacket remb;
  remb.senderSsrc = header->senderSsrc;
  remb.bitrate = bitrateOf(read24(&fci[5]) & 0x3FFFF, fci[5] >> 2);
  remb.ssrcs.reserve(count);
  for (size_t i = 0; i < count; ++i) remb.ssrcs.push_back(read32(&fci[kFixedBytes + 4 * i]));
  return remb;
}

}  // namespace onair::rtc::rtp
