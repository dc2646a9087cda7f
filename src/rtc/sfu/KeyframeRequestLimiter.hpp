#pragma once
// Whether a keyframe request for one producer (a consumer's PLI or FIR, or a new subscription
// that needs a keyframe to start decoding) goes upstream to the publisher now, modelled on
// mediasoup's RTC::KeyFrameRequestManager. Consumers' requests are many and bursty; the publisher
// needs one per keyframe, and each keyframe is expensive to encode and send.
//
// At most one request goes upstream per `minInterval`. A request inside that window is not lost:
// it becomes pending (with any others that arrive meanwhile) and due() lets it go once the window
// opens. A keyframe received from the publisher answers everyone waiting, so it clears the pending
// request.
//
// A request that went upstream and got no keyframe within `retryAfter` was lost (a PLI is one
// unacknowledged RTCP packet) or ignored: retry() lets it go again, once per `retryAfter`, until a
// keyframe arrives. Without it a subscriber that waits for its first keyframe waits until the
// publisher happens to send one (LiveKit repeats its PLI the same way while a track waits;
// mediasoup retries once). Pure logic: the current time is passed in; one thread.
#include <chrono>
#include <cstdint>
#include <optional>

namespace onair::rtc::sfu {

class KeyframeRequestLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  static constexpr std::chrono::milliseconds kDefaultMinInterval{500};
  static constexpr std::chrono::milliseconds kDefaultRetryAfter{1000};

  struct Counters {
    uint64_t requests = 0;   // requests from consumers
    uint64_t sent = 0;       // requests that went upstream
    uint64_t coalesced = 0;  // requests that did not go upstream at once (pending, or joined one)
    uint64_t satisfied = 0;  // pending requests a keyframe answered before they went upstream
    uint64_t retried = 0;    // requests sent again after retryAfter without a keyframe
  };

  explicit KeyframeRequestLimiter(std::chrono::milliseconds minInterval = kDefaultMinInterval,
                                  std::chrono::milliseconds retryAfter = kDefaultRetryAfter);

  // A consumer needs a keyframe. True: send a PLI/FIR upstream now. False: it is pending.
  bool request(Clock::time_point now);

  // True (once) when a pending request may go upstream at `now`: send it then.
  bool due(Clock::time_point now);

  // True when the last request sent is still unanswered `retryAfter` after it went: send it again
  // now (the caller asks only while someone still waits for a keyframe).
  bool retry(Clock::time_point now);

  // When due() will next say true, or nullopt with nothing pending.
  std::optional<Clock::time_point> nextDue() const;

  // A keyframe arrived from the publisher: whoever was waiting has it.
  void keyframeReceived() noexcept;

  bool pending() const noexcept { return pending_; }
  bool unanswered() const noexcept { return unanswered_; }
  const Counters& counters() const noexcept { return counters_; }

 private:
  bool windowOpen(Clock::time_point now) const noexcept;
  void send(Clock::time_point now) noexcept;

  std::chrono::milliseconds minInterval_;
  std::chrono::milliseconds retryAfter_;
  std::optional<Clock::time_point> lastSentAt_;
  bool pending_ = false;
  bool unanswered_ = false;  // a request went upstream and no keyframe has come since
  Counters counters_;
};

}  // namespace onair::rtc::sfu
