#pragma once
// Which packets of a producer stream to ask the publisher to send again (generic NACK, RFC 4585
// §6.2.1), modelled on mediasoup's RTC::NackGenerator and libwebrtc's NackModule.
//
// Every received sequence number goes to received(). A jump forward puts the skipped sequence
// numbers on the missing list; one of them arriving later (reordered, or the publisher's
// retransmission) takes it off again and counts as recovered. due() says which to NACK now: a
// missing packet is requested on the first due() after its loss was seen, then again every
// max(rtt, kMinRetryInterval) up to `maxRetries` times; one still missing an interval after its
// last retry is given up. Missing packets more than kMaxPacketAge behind the newest are dropped.
// A packet recovered after exactly one NACK gives a round-trip sample (Received::roundTrip).
//
// The list holds at most `maxListSize` packets. When a gap would overflow it, the losses older
// than the oldest remembered keyframe start are dropped first (a decoder restarting at that
// keyframe never needs them); when that is not enough, the whole list is dropped and received()
// says a keyframe is needed, as it does when one gap alone is larger than the list. A packet more
// than kMaxPacketAge behind the newest means the sender restarted its sequence: the state resets.
//
// Pure logic: sequence numbers and the current time go in, sequence numbers come out. Storage is
// reserved in the constructor; nothing is allocated per packet. One thread.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace onair::rtc::sfu {

class NackGenerator {
 public:
  using Clock = std::chrono::steady_clock;

  static constexpr size_t kDefaultMaxListSize = 1000;
  static constexpr unsigned kDefaultMaxRetries = 10;
  static constexpr std::chrono::milliseconds kMinRetryInterval{20};
  static constexpr int64_t kMaxPacketAge = 10000;
  // Keyframe starts remembered for trimming an overflowing list; older ones are forgotten first.
  static constexpr size_t kMaxKeyframes = 64;

  struct Received {
    bool recovered = false;       // it was on the missing list and no longer is
    bool keyframeNeeded = false;  // losses were dropped that no keyframe makes moot: send a PLI
    // Recovered after exactly one NACK: the time since that NACK, a round-trip sample. None after
    // several (Karn's rule: which request the repair answers is unknown) or none at all.
    std::optional<Clock::duration> roundTrip;
  };

  struct Counters {
    uint64_t requested = 0;       // missing packets NACKed for the first time
    uint64_t retried = 0;         // NACKs sent again for a packet still missing
    uint64_t recovered = 0;       // missing packets that arrived after all
    uint64_t givenUp = 0;         // missing packets still missing after the last retry
    uint64_t dropped = 0;         // missing packets dropped to bound the list, or too old
    uint64_t keyframesNeeded = 0; // times received() said keyframeNeeded
    uint64_t resets = 0;          // sequence restarts
  };

  // `maxListSize` is clamped to kMaxPacketAge.
  explicit NackGenerator(size_t maxListSize = kDefaultMaxListSize, unsigned maxRetries = kDefaultMaxRetries);

  // A packet of the stream arrived at `now`. `isKeyframe`: it starts a keyframe (the first packet
  // of one), so a decoder can restart there.
  Received received(uint16_t seq, bool isKeyframe, Clock::time_point now);

  // The sequence numbers to NACK at `now`, oldest first, given the current round-trip time to
  // the publisher; gives up on packets past their last retry. Valid until the next call.
  std::span<const uint16_t> due(Clock::time_point now, std::chrono::milliseconds rtt);

  // When due() next has something to do (send or give up), or nullopt with nothing missing.
  std::optional<Clock::time_point> nextDue(std::chrono::milliseconds rtt) const;

  bool isMissing(uint16_t seq) const;
  size_t missingCount() const noexcept { return missing_.size(); }
  size_t maxListSize() const noexcept { return maxListSize_; }
  const Counters& counters() const noexcept { return counters_; }

  // Forgets the stream (the counters stay): the next packet starts it again.
  void reset() noexcept;

 private:
  struct Missing {
    int64_t extendedSeq = 0;
    Clock::time_point detectedAt{};
    Clock::time_point lastSentAt{};
    unsigned sends = 0;
  };

  void start(int64_t extendedSeq, bool isKeyframe);
  bool addGap(int64_t fromExtended, int64_t toExtended, Clock::time_point now);
  bool dropUntilOldestKeyframe();
  void dropOlderThan(int64_t extendedSeq);
  void rememberKeyframe(int64_t extendedSeq);
  std::vector<Missing>::iterator findMissing(int64_t extendedSeq);
  std::chrono::milliseconds retryInterval(std::chrono::milliseconds rtt) const noexcept;

  size_t maxListSize_;
  unsigned maxRetries_;
  bool started_ = false;
  int64_t newest_ = 0;             // extended sequence number of the newest packet received
  std::vector<Missing> missing_;   // sorted by extendedSeq
  std::vector<int64_t> keyframes_; // sorted extended sequence numbers of keyframe starts
  std::vector<uint16_t> batch_;    // what due() returns
  Counters counters_;
};

}  // namespace onair::rtc::sfu
