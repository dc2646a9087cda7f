#include "collab/yjs/DocumentState.hpp"

#include <algorithm>

#include "collab/yjs/UpdateDecoder.hpp"
#include "collab/yjs/UpdateDiff.hpp"
#include "collab/yjs/UpdateEncoder.hpp"
#include "collab/yjs/UpdateMerger.hpp"

namespace onair::collab::yjs {

namespace {

// Rough heap cost of one node of a std::map (three pointers, colour, key and value, allocator).
constexpr size_t kMapNodeBytes = 64;

bool isEmpty(const Update& update) { return update.structs.empty() && update.deleteSet.clients().empty(); }

// yjs writes each client's structs as one run, clients in descending order (writeClientsStructs,
// and mergeUpdates / diffUpdate keep that order). The merger walks inputs in that order: an update
// in another order would be merged wrongly (structs lost or repeated), so it is refused.
bool inYjsOrder(const Update& update) {
  for (size_t i = 1; i < update.structs.size(); ++i) {
    const Struct& previous = update.structs[i - 1];
    const Struct& current = update.structs[i];
    if (current.id.client == previous.id.client ? current.id.clock != previous.endClock()
                                                : current.id.client > previous.id.client) {
      return false;
    }
  }
  return true;
}

}  // namespace

UpdateLimits DocumentState::storedLimits() const {
  // Stored updates were checked when appended: merging and diffing them is bounded by the document,
  // not by one client update. A merge may outgrow its inputs a little (a sliced item gains an
  // origin), hence the headroom.
  UpdateLimits stored = limits_.update;
  stored.maxUpdateBytes = 2 * limits_.maxDocumentBytes;
  stored.maxMergeBytes = 2 * limits_.maxDocumentBytes;
  stored.maxStructs = 2 * limits_.maxDocumentStructs;
  stored.maxMergeStructs = 2 * limits_.maxDocumentStructs;
  return stored;
}

YjsError DocumentState::check(std::span<const uint8_t> bytes, const UpdateLimits& limits, size_t* structs) {
  auto update = UpdateDecoder::decode(bytes, limits);
  if (!update) return update.error();
  if (structs) *structs = update->structs.size();
  return inYjsOrder(*update) ? YjsError::None : YjsError::UnorderedRuns;
}

YjsError DocumentState::append(std::span<const uint8_t> bytes) { return appendUnder(bytes, limits_.update, true); }

YjsError DocumentState::appendSaved(std::span<const uint8_t> saved) { return appendUnder(saved, storedLimits(), false); }

YjsError DocumentState::appendUnder(std::span<const uint8_t> bytes, const UpdateLimits& limits, bool withinBounds) {
  // Check the update whole before anything changes.
  auto update = UpdateDecoder::decode(bytes, limits);
  if (!update) return update.error();
  if (!inYjsOrder(*update)) return YjsError::UnorderedRuns;
  if (isEmpty(*update)) return YjsError::None;
  const bool over = storedBytes_ + bytes.size() > limits_.maxDocumentBytes ||
                    storedStructs_ + update->structs.size() > limits_.maxDocumentStructs;
  if (over) {
    // What merging saves (repeats, joined GCs) may make room: store the merge with the update in it.
    std::vector<std::span<const uint8_t>> inputs(updates_.begin(), updates_.end());
    inputs.push_back(bytes);
    if (const YjsError error = storeMerged(inputs, withinBounds); error != YjsError::None) return error;
  } else {
    updates_.emplace_back(bytes.begin(), bytes.end());
    storedBytes_ += bytes.size();
    storedStructs_ += update->structs.size();
    bytesSinceCompaction_ += bytes.size();
  }
  for (const Struct& s : update->structs) {
    if (!s.isSkip()) cover(s.id.client, s.id.clock, s.endClock());
  }
  return YjsError::None;
}

YjsError DocumentState::storeMerged(const std::vector<std::span<const uint8_t>>& inputs, bool withinBounds) {
  auto merged = UpdateMerger::merge(inputs, storedLimits());
  if (!merged) return merged.error();
  // Count the merged structs again: repeats across the inputs are gone.
  auto decoded = UpdateDecoder::decode(*merged, storedLimits());
  if (!decoded) return decoded.error();
  if (withinBounds && merged->size() > limits_.maxDocumentBytes) return YjsError::TooLarge;
  if (withinBounds && decoded->structs.size() > limits_.maxDocumentStructs) return YjsError::TooManyStructs;
  updates_.clear();
  updates_.push_back(std::move(*merged));
  updates_.shrink_to_fit();
  storedBytes_ = updates_.front().size();
  storedStructs_ = decoded->structs.size();
  bytesSinceCompaction_ = 0;
  return YjsError::None;
}

void DocumentState::cover(uint64_t client, uint64_t start, uint64_t end) {
  auto& ranges = coverage_[client];
  // Join with a range that starts at or before `start` and reaches it.
  auto it = ranges.upper_bound(start);
  if (it != ranges.begin() && std::prev(it)->second >= start) {
    --it;
    if (it->second >= end) return;  // already held
    start = it->first;
  }
  // Swallow every range that starts inside [start, end].
  while (it != ranges.end() && it->first <= end) {
    end = std::max(end, it->second);
    it = ranges.erase(it);
  }
  ranges.emplace(start, end);
  // The state vector follows the range from clock 0.
  const auto first = ranges.begin();
  if (first->first == 0) stateVector_.set(client, first->second);
}

bool DocumentState::needsCompaction() const {
  if (updates_.size() < 2) return false;
  return updates_.size() > limits_.compactAfterUpdates || bytesSinceCompaction_ > limits_.compactAfterBytes;
}

YjsError DocumentState::compact() {
  if (updates_.size() < 2) {
    bytesSinceCompaction_ = 0;
    return YjsError::None;
  }
  // What is stored was within bounds when appended: its merge is kept even if slicing grew it.
  return storeMerged(std::vector<std::span<const uint8_t>>(updates_.begin(), updates_.end()), false);
}

Expected<std::vector<uint8_t>> DocumentState::diff(const StateVector& stateVector) {
  if (const YjsError error = compact(); error != YjsError::None) return error;
  if (updates_.empty()) return UpdateEncoder::encode(Update{});
  auto merged = UpdateDecoder::decode(updates_.front(), storedLimits());
  if (!merged) return merged.error();
  return UpdateEncoder::encode(UpdateDiff::diff(*merged, stateVector));
}

Expected<std::vector<uint8_t>> DocumentState::diff(std::span<const uint8_t> encodedStateVector) {
  auto stateVector = StateVector::decode(encodedStateVector, limits_.update);
  if (!stateVector) return stateVector.error();
  return diff(*stateVector);
}

Expected<std::vector<uint8_t>> DocumentState::fullState() {
  if (const YjsError error = compact(); error != YjsError::None) return error;
  if (updates_.empty()) return UpdateEncoder::encode(Update{});
  return updates_.front();
}

size_t DocumentState::memoryBytes() const {
  size_t bytes = sizeof(*this) + updates_.capacity() * sizeof(std::vector<uint8_t>);
  for (const auto& update : updates_) bytes += update.capacity();
  for (const auto& [client, ranges] : coverage_) bytes += kMapNodeBytes * (1 + ranges.size());
  bytes += kMapNodeBytes * stateVector_.clocks().size();
  return bytes;
}

}  // namespace onair::collab::yjs
