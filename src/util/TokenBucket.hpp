#pragma once
// A token bucket: `capacity` tokens, refilled at `perSecond` tokens a second up to capacity.
// take(n, now) spends n tokens if the bucket holds them and says whether it did; a request
// larger than the capacity is allowed from a full bucket (it empties it), so one maximal request
// always passes after a quiet spell. Pure (the caller passes the time); not thread-safe.
#include <algorithm>
#include <chrono>
#include <cstdint>

namespace onair::util {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  TokenBucket(double capacity, double perSecond) : capacity_(capacity), perSecond_(perSecond), tokens_(capacity) {}

  bool take(double n, Clock::time_point now) {
    refill(now);
    const bool full = tokens_ >= capacity_;
    if (tokens_ < n && !full) return false;
    tokens_ = std::max(0.0, tokens_ - n);
    return true;
  }

 private:
  void refill(Clock::time_point now) {
    if (last_ != Clock::time_point{} && now > last_) {
      tokens_ = std::min(capacity_, tokens_ + perSecond_ * std::chrono::duration<double>(now - last_).count());
    }
    if (now > last_) last_ = now;
  }

  double capacity_;
  double perSecond_;
  double tokens_;
  Clock::time_point last_{};
};

}  // namespace onair::util
