#pragma once
// Extends 16-bit RTP sequence numbers (RFC 3550 §5.1, wrapping at 65536) to a 64-bit count that
// keeps increasing across wraps, so a receiver can order, dedupe and count packets.
//
// Each number is placed at the distance from the highest number seen so far that is shortest
// modulo 2^16 (forward when the distance is under 2^15, backward otherwise), as RFC 3550 A.1
// reasons about sequence numbers. A late (reordered) packet unwraps to its value behind the
// highest and does not move it; only a newer packet does. Packets reordered before the very first
// one unwrap to negative values, which is why the result is signed.
#include <cstdint>

namespace onair::rtc::rtp {

class SequenceNumberUnwrapper {
 public:
  int64_t unwrap(uint16_t seq);
  // The highest unwrapped value so far; 0 before the first packet.
  int64_t highest() const { return highest_; }

 private:
  bool started_ = false;
  int64_t highest_ = 0;
};

}  // namespace onair::rtc::rtp
