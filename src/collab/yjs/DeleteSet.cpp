#include "collab/yjs/DeleteSet.hpp"

#include <algorithm>

namespace onair::collab::yjs {

bool DeleteSet::read(Lib0Reader& reader, const UpdateLimits& limits) {
  uint64_t clientCount = 0;
  if (!reader.readVarUint(clientCount)) return false;
  size_t ranges = 0;
  for (uint64_t c = 0; c < clientCount; ++c) {
    uint64_t client = 0;
    uint64_t rangeCount = 0;
    if (!reader.readVarUint(client) || !reader.readVarUint(rangeCount)) return false;
    // Each range takes at least two bytes: refuse a count the bytes cannot hold before looping.
    if (rangeCount > reader.remaining() / 2) return reader.fail(YjsError::Truncated);
    for (uint64_t r = 0; r < rangeCount; ++r) {
      uint64_t clock = 0;
      uint64_t length = 0;
      if (!reader.readVarUint(clock) || !reader.readVarUint(length)) return false;
      if (clock + length > kMaxSafeInteger) return reader.fail(YjsError::ClockOverflow);
      if (++ranges > limits.maxDeleteRanges) return reader.fail(YjsError::TooManyDeletes);
      add(client, clock, length);
    }
  }
  normalize();
  return true;
}

void DeleteSet::write(Lib0Writer& writer) const {
  writer.writeVarUint(clients_.size());
  for (auto it = clients_.rbegin(); it != clients_.rend(); ++it) {
    writer.writeVarUint(it->first);
    writer.writeVarUint(it->second.size());
    for (const Range& range : it->second) {
      writer.writeVarUint(range.clock);
      writer.writeVarUint(range.length);
    }
  }
}

void DeleteSet::add(uint64_t client, uint64_t clock, uint64_t length) {
  if (length == 0) return;
  clients_[client].push_back(Range{clock, length});
}

void DeleteSet::addAll(const DeleteSet& other) {
  for (const auto& [client, ranges] : other.clients_) {
    auto& mine = clients_[client];
    mine.insert(mine.end(), ranges.begin(), ranges.end());
  }
}

void DeleteSet::normalize() {
  for (auto it = clients_.begin(); it != clients_.end();) {
    auto& ranges = it->second;
    std::sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) { return a.clock < b.clock; });
    std::vector<Range> merged;
    for (const Range& range : ranges) {
      if (!merged.empty() && merged.back().clock + merged.back().length >= range.clock) {
        merged.back().length = std::max(merged.back().length, range.clock + range.length - merged.back().clock);
      } else {
        merged.push_back(range);
      }
    }
    ranges = std::move(merged);
    it = ranges.empty() ? clients_.erase(it) : std::next(it);
  }
}

}  // namespace onair::collab::yjs
