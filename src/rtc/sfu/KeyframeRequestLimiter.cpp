#include "rtc/sfu/KeyframeRequestLimiter.hpp"

namespace onair::rtc::sfu {

KeyframeRequestLimiter::KeyframeRequestLimiter(std::chrono::milliseconds minInterval, std::chrono::milliseconds retryAfter)
    : minInterval_(minInterval), retryAfter_(retryAfter) {}

bool KeyframeRequestLimiter::windowOpen(Clock::time_point now) const noexcept {
  return !lastSentAt_ || now - *lastSentAt_ >= minInterval_;
}

void KeyframeRequestLimiter::send(Clock::time_point now) noexcept {
  pending_ = false;
  unanswered_ = true;
  lastSentAt_ = now;
  ++counters_.sent;
}

bool KeyframeRequestLimiter::request(Clock::time_point now) {
  ++counters_.requests;
  // The window is open: this one (and any pending one with it) goes now.
  if (windowOpen(now)) {
    send(now);
    return true;
  }
  ++counters_.coalesced;
  pending_ = true;
  return false;
}

bool KeyframeRequestLimiter::due(Clock::time_point now) {
  if (!pending_ || !windowOpen(now)) return false;
  send(now);
  return true;
}

bool KeyframeRequestLimiter::retry(Clock::time_point now) {
  if (!unanswered_ || now - *lastSentAt_ < retryAfter_) return false;
  send(now);
  ++counters_.retried;
  return true;
}

std::optional<KeyframeRequestLimiter::Clock::time_point> KeyframeRequestLimiter::nextDue() const {
  if (!pending_) return std::nullopt;
  // pending_ implies a request was sent (the first one always goes at once).
  return *lastSentAt_ + minInterval_;
}

void KeyframeRequestLimiter::keyframeReceived() noexcept {
  unanswered_ = false;
  if (!pending_) return;
  pending_ = false;
  ++counters_.satisfied;
}

}  // namespace onair::rtc::sfu
