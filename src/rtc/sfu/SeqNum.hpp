#pragma once
// Arithmetic on RTP sequence numbers (RFC 3550 §5.1): 16 bits that wrap from 65535 to 0. Order is
// only defined within half the space: `a` is newer than `b` when (a - b) mod 2^16 lies in
// 1..32767. Code that keeps state across many packets "extends" each one to a 64-bit count
// relative to a reference it already knows, so that a window of packets is ordered by plain
// integer comparison however many times the 16 bits have wrapped.
#include <cstdint>

namespace onair::rtc::sfu {

struct SeqNum {
  // a - b as a signed distance in -32768..32767: positive when `a` is newer than `b`.
  static constexpr int32_t distance(uint16_t a, uint16_t b) noexcept {
    return static_cast<int16_t>(static_cast<uint16_t>(a - b));
  }

  static constexpr bool isNewer(uint16_t a, uint16_t b) noexcept { return distance(a, b) > 0; }

  // The extended value of `seq`: the one within half the space of `reference` (an extended value
  // itself) whose low 16 bits are `seq`.
  static constexpr int64_t extend(uint16_t seq, int64_t reference) noexcept {
    return reference + distance(seq, static_cast<uint16_t>(reference));
  }
};

}  // namespace onair::rtc::sfu
