#pragma once
// Which simulcast encoding a subscriber receives (DESIGN.md §7, "simulcast layer selection"):
// the one its quality asks for or, while that one is not arriving (a publisher's browser drops
// its upper encodings when its bandwidth or CPU is short, and starts with the lowest), the best
// lower one that is. Encodings are ordered lowest first (the publisher's a=simulcast order).
//
// Contract: pure (the caller passes the time and when each encoding last delivered a packet).
#include <chrono>
#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace onair::streams {

class LayerSelector {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  // An encoding counts as arriving when its last packet is at most this old.
  static constexpr std::chrono::milliseconds kActiveWindow{1000};

  // "low" → the lowest, "high" → the highest, "medium" → the middle one (rounded down); nullopt
  // for another word.
  static std::optional<size_t> target(std::string_view quality, size_t layers);
  // The encoding to receive: `target` when it arrives, else the highest arriving one below it,
  // else (nothing below arrives either) `target` itself. `lastPackets[i]`: encoding i's last packet.
  static size_t choose(const std::vector<std::optional<TimePoint>>& lastPackets, size_t target, TimePoint now);
};

}  // namespace onair::streams
