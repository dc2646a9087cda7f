#include "rtc/rtp/ReportBlock.hpp"

#include <algorithm>

#include "rtc/rtp/BigEndian.hpp"

namespace onair::rtc::rtp {

ReportBlock ReportBlock::read(const uint8_t* p) {
  ReportBlock b;
  b.ssrc = read32(p);
  b.fractionLost = p[4];
  // Sign-extend the 24-bit count.
  const uint32_t lost = read24(p + 5);
  b.cumulativeLost = (lost & 0x800000) != 0 ? int32_t(lost) - 0x1000000 : int32_t(lost);
  b.highestSequence = read32(p + 8);
  b.jitter = read32(p + 12);
  b.lastSr = read32(p + 16);
  b.delaySinceLastSr = read32(p + 20);
  return b;
}

void ReportBlock::write(uint8_t* p) const {
  write32(p, ssrc);
  p[4] = fractionLost;
  write24(p + 5, uint32_t(std::clamp(cumulativeLost, kMinLost, kMaxLost)) & 0xFFFFFF);
  write32(p + 8, highestSequence);
  write32(p + 12, jitter);
  write32(p + 16, lastSr);
  write32(p + 20, delaySinceLastSr);
}

}  // namespace onair::rtc::rtp
