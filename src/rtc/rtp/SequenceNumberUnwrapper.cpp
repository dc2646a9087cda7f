#include "rtc/rtp/SequenceNumberUnwrapper.hpp"

namespace onair::rtc::rtp {

int64_t SequenceNumberUnwrapper::unwrap(uint16_t seq) {
  // The first packet is the reference.
  if (!started_) {
    started_ = true;
    highest_ = seq;
    return highest_;
  }
  // Shortest signed distance from the highest so far (exactly 2^15 counts as backward).
  const auto forward = uint16_t(seq - uint16_t(highest_));
  const int64_t distance = forward < 0x8000 ? int64_t(forward) : int64_t(forward) - 0x10000;
  const int64_t value = highest_ + distance;
  if (distance > 0) highest_ = value;
  return value;
}

}  // namespace onair::rtc::rtp
