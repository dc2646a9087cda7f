#include "rtc/rtp/SequenceNumberRewriter.hpp"

#include <algorithm>

namespace onair::rtc::rtp {

namespace {

// Longer gaps than a day advance the timestamp by a day: any receiver treats that as a reset.
constexpr int64_t kMaxGapMs = 24LL * 3600 * 1000;

}  // namespace

std::optional<SequenceNumberRewriter::Output> SequenceNumberRewriter::rewrite(uint16_t seq, uint32_t timestamp,
                                                                              int64_t nowMs) {
  // A switch: new offsets from this packet.
  if (switching_) startSource(seq, timestamp, nowMs);

  // Older than the source's first forwarded packet: its output number is taken.
  const int64_t unwrapped = source_.unwrap(seq);
  if (unwrapped < sourceFirst_) return std::nullopt;

  const Output out{uint16_t(seq + seqOffset_), timestamp + timestampOffset_};
  // Only the newest packet moves what the next switch continues from.
  if (unwrapped == source_.highest()) {
    lastSeq_ = out.seq;
    lastTimestamp_ = out.timestamp;
    lastMs_ = nowMs;
  }
  return out;
}

void SequenceNumberRewriter::startSource(uint16_t seq, uint32_t timestamp, int64_t nowMs) {
  switching_ = false;
  source_ = SequenceNumberUnwrapper{};
  sourceFirst_ = source_.unwrap(seq);
  if (!sentAny_) {
    sentAny_ = true;
    return;  // offsets stay 0
  }
  const int64_t gapMs = std::clamp<int64_t>(nowMs - lastMs_, 0, kMaxGapMs);
  const auto ticks = uint32_t(std::max<int64_t>(1, gapMs * clockRate_ / 1000));
  seqOffset_ = uint16_t(lastSeq_ + 1 - seq);
  timestampOffset_ = lastTimestamp_ + ticks - timestamp;
}

}  // namespace onair::rtc::rtp
