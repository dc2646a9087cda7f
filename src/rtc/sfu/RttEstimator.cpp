#include "rtc/sfu/RttEstimator.hpp"

#include <algorithm>

namespace onair::rtc::sfu {

void RttEstimator::sample(std::chrono::steady_clock::duration roundTrip) {
  using std::chrono::microseconds;
  const auto r = std::clamp(std::chrono::duration_cast<microseconds>(roundTrip), microseconds(kMin), microseconds(kMax));
  smoothed_ = smoothed_ ? (*smoothed_ * 7 + r) / 8 : r;
}

std::chrono::milliseconds RttEstimator::current() const {
  if (!smoothed_) return kInitial;
  return std::chrono::ceil<std::chrono::milliseconds>(*smoothed_);
}

}  // namespace onair::rtc::sfu
