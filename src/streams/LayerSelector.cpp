#include "streams/LayerSelector.hpp"

#include <algorithm>

namespace onair::streams {

std::optional<size_t> LayerSelector::target(std::string_view quality, size_t layers) {
  if (layers == 0) return std::nullopt;
  if (quality == "low") return 0;
  if (quality == "medium") return (layers - 1) / 2;
  if (quality == "high") return layers - 1;
  return std::nullopt;
}

size_t LayerSelector::choose(const std::vector<std::optional<TimePoint>>& lastPackets, size_t target, TimePoint now) {
  if (lastPackets.empty()) return 0;
  target = std::min(target, lastPackets.size() - 1);
  for (size_t i = target + 1; i-- > 0;) {
    if (lastPackets[i] && now - *lastPackets[i] <= kActiveWindow) return i;
  }
  return target;
}

}  // namespace onair::streams
