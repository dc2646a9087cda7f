#pragma once
// One Feedback Control Information item of a generic NACK (RFC 4585 §6.2.1): a lost packet and a
// bitmask of the 16 that follow it.
#include <cstdint>

namespace onair::rtc::sfu {

struct NackItem {
  uint16_t pid = 0;  // Packet ID: the sequence number of a lost packet
  uint16_t blp = 0;  // bitmask of following lost packets: bit i (LSB = 0) is pid + i + 1

  friend bool operator==(const NackItem&, const NackItem&) = default;
};

}  // namespace onair::rtc::sfu
