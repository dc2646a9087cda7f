#pragma once
// The round-trip time to a publisher, for pacing NACK retries (NackGenerator::due). onair only
// receives from a publisher, so RTCP sender/receiver reports give it no RTT; its samples are the
// time from a NACK to the repair it brought (NackGenerator::Received::roundTrip, one sample per
// packet NACKed once). Smoothed as TCP does (RFC 6298 §2): the first sample is taken as is, then
// SRTT ← 7/8·SRTT + 1/8·R. Before any sample, kInitial. Samples are clamped to [kMin, kMax] so
// one odd sample (a repair that was only reordered, a stalled publisher) moves it little.
// Pure logic; one thread.
#include <chrono>
#include <optional>

namespace onair::rtc::sfu {

class RttEstimator {
 public:
  static constexpr std::chrono::milliseconds kInitial{100};
  static constexpr std::chrono::milliseconds kMin{1};
  static constexpr std::chrono::milliseconds kMax{1000};

  void sample(std::chrono::steady_clock::duration roundTrip);
  // The smoothed RTT, rounded up to whole milliseconds; kInitial before any sample.
  std::chrono::milliseconds current() const;
  bool measured() const { return smoothed_.has_value(); }

 private:
  std::optional<std::chrono::microseconds> smoothed_;
};

}  // namespace onair::rtc::sfu
