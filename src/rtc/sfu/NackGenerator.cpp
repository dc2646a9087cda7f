#include "rtc/sfu/NackGenerator.hpp"

#include <algorithm>

#include "rtc/sfu/SeqNum.hpp"

namespace onair::rtc::sfu {

namespace {
// Orders a missing entry before an extended sequence number, for binary searches of the list.
constexpr auto olderThan = [](const auto& missing, int64_t extendedSeq) { return missing.extendedSeq < extendedSeq; };
}  // namespace

NackGenerator::NackGenerator(size_t maxListSize, unsigned maxRetries)
    : maxListSize_(std::min<size_t>(maxListSize, kMaxPacketAge)), maxRetries_(maxRetries) {
  missing_.reserve(maxListSize_);
  keyframes_.reserve(kMaxKeyframes);
  batch_.reserve(maxListSize_);
}

void NackGenerator::reset() noexcept {
  started_ = false;
  newest_ = 0;
  missing_.clear();
  keyframes_.clear();
  batch_.clear();
}

void NackGenerator::start(int64_t extendedSeq, bool isKeyframe) {
  reset();
  started_ = true;
  newest_ = extendedSeq;
  if (isKeyframe) rememberKeyframe(extendedSeq);
}

NackGenerator::Received NackGenerator::received(uint16_t seq, bool isKeyframe, Clock::time_point now) {
  if (!started_) {
    start(seq, isKeyframe);
    return {};
  }
  const int64_t extended = SeqNum::extend(seq, newest_);

  // A duplicate of the newest packet.
  if (extended == newest_) return {};

  // Older than the newest: reordered, retransmitted, a duplicate, or a restarted sender.
  if (extended < newest_) {
    if (newest_ - extended > kMaxPacketAge) {
      ++counters_.resets;
      start(extended, isKeyframe);
      return {};
    }
    if (isKeyframe) rememberKeyframe(extended);
    const auto it = findMissing(extended);
    if (it == missing_.end()) return {};
    Received outcome{.recovered = true};
    if (it->sends == 1) outcome.roundTrip = now - it->lastSentAt;
    missing_.erase(it);
    ++counters_.recovered;
    return outcome;
  }

  // Newer: everything between the previous newest and it is missing.
  if (isKeyframe) rememberKeyframe(extended);
  const bool keyframeNeeded = addGap(newest_ + 1, extended, now);
  newest_ = extended;
  dropOlderThan(newest_ - kMaxPacketAge);
  if (keyframeNeeded) ++counters_.keyframesNeeded;
  return {.keyframeNeeded = keyframeNeeded};
}

bool NackGenerator::addGap(int64_t fromExtended, int64_t toExtended, Clock::time_point now) {
  const auto gap = static_cast<size_t>(toExtended - fromExtended);
  if (gap == 0) return false;

  // Make room by dropping what a keyframe makes moot; failing that, drop everything.
  while (missing_.size() + gap > maxListSize_ && dropUntilOldestKeyframe()) {
  }
  if (missing_.size() + gap > maxListSize_) {
    counters_.dropped += missing_.size();
    missing_.clear();
    return true;
  }

  for (int64_t extended = fromExtended; extended < toExtended; ++extended) {
    missing_.push_back(Missing{.extendedSeq = extended, .detectedAt = now});
  }
  return false;
}

bool NackGenerator::dropUntilOldestKeyframe() {
  while (!keyframes_.empty()) {
    const auto end = std::lower_bound(missing_.begin(), missing_.end(), keyframes_.front(), olderThan);
    if (end != missing_.begin()) {
      counters_.dropped += static_cast<uint64_t>(end - missing_.begin());
      missing_.erase(missing_.begin(), end);
      return true;
    }
    // No loss precedes this keyframe: it cannot help any more.
    keyframes_.erase(keyframes_.begin());
  }
  return false;
}

void NackGenerator::dropOlderThan(int64_t extendedSeq) {
  const auto end = std::lower_bound(missing_.begin(), missing_.end(), extendedSeq, olderThan);
  counters_.dropped += static_cast<uint64_t>(end - missing_.begin());
  missing_.erase(missing_.begin(), end);
  const auto keyframesEnd = std::lower_bound(keyframes_.begin(), keyframes_.end(), extendedSeq);
  keyframes_.erase(keyframes_.begin(), keyframesEnd);
}

void NackGenerator::rememberKeyframe(int64_t extendedSeq) {
  const auto at = std::lower_bound(keyframes_.begin(), keyframes_.end(), extendedSeq);
  if (at != keyframes_.end() && *at == extendedSeq) return;
  // Full: forget the oldest, unless this one is older still.
  if (keyframes_.size() == kMaxKeyframes) {
    if (at == keyframes_.begin()) return;
    keyframes_.erase(keyframes_.begin());
    keyframes_.insert(std::lower_bound(keyframes_.begin(), keyframes_.end(), extendedSeq), extendedSeq);
    return;
  }
  keyframes_.insert(at, extendedSeq);
}

std::vector<NackGenerator::Missing>::iterator NackGenerator::findMissing(int64_t extendedSeq) {
  const auto it = std::lower_bound(missing_.begin(), missing_.end(), extendedSeq, olderThan);
  if (it == missing_.end() || it->extendedSeq != extendedSeq) return missing_.end();
  return it;
}

bool NackGenerator::isMissing(uint16_t seq) const {
  if (!started_) return false;
  const int64_t extended = SeqNum::extend(seq, newest_);
  const auto it = std::lower_bound(missing_.begin(), missing_.end(), extended, olderThan);
  return it != missing_.end() && it->extendedSeq == extended;
}

std::chrono::milliseconds NackGenerator::retryInterval(std::chrono::milliseconds rtt) const noexcept {
  return std::max(rtt, kMinRetryInterval);
}

std::span<const uint16_t> NackGenerator::due(Clock::time_point now, std::chrono::milliseconds rtt) {
  batch_.clear();
  const auto interval = retryInterval(rtt);
  // One pass that sends what is due and compacts away what is given up.
  auto kept = missing_.begin();
  for (auto& entry : missing_) {
    const bool waited = entry.sends > 0 && now - entry.lastSentAt >= interval;
    if (waited && entry.sends > maxRetries_) {
      ++counters_.givenUp;
      continue;
    }
    if (entry.sends == 0 || waited) {
      ++(entry.sends == 0 ? counters_.requested : counters_.retried);
      ++entry.sends;
      entry.lastSentAt = now;
      batch_.push_back(static_cast<uint16_t>(entry.extendedSeq));
    }
    *kept++ = entry;
  }
  missing_.erase(kept, missing_.end());
  return batch_;
}

std::optional<NackGenerator::Clock::time_point> NackGenerator::nextDue(std::chrono::milliseconds rtt) const {
  std::optional<Clock::time_point> next;
  const auto interval = retryInterval(rtt);
  for (const auto& entry : missing_) {
    const auto at = entry.sends == 0 ? entry.detectedAt : entry.lastSentAt + interval;
    if (!next || at < *next) next = at;
  }
  return next;
}

}  // namespace onair::rtc::sfu
