#pragma once
// One Yjs document on the server, kept without a Y.Doc: the list of updates clients sent (each
// checked by decoding it), merged lazily (DESIGN.md §7a).
//
// Contract:
//   - append() decodes the update under limits.update and refuses a malformed one with its
//     YjsError, leaving the document as it was, and refuses one whose runs are not in the order
//     yjs writes (UnorderedRuns: each client once, descending; merging relies on it). An update
//     with neither structs nor deletions is
//     accepted and not stored. When the document would pass limits.maxDocumentBytes or
//     limits.maxDocumentStructs, append() stores the merge of everything with the update instead,
//     and refuses (TooLarge / TooManyStructs, the document unchanged) only if that merge is over.
//   - stateVector() is yjs's encodeStateVectorFromUpdate of the merged updates: per client, the
//     end of the clocks held without a hole from 0. It is kept up to date by append(), without
//     merging.
//   - diff(sv) answers a sync step 1: the part of the document a peer at `sv` lacks (yjs
//     diffUpdate of the merged updates; the whole delete set). fullState() is the merged update
//     itself. Both compact first, so the next answer starts from one stored update; with nothing
//     stored they answer the empty update (0x00 0x00).
//   - compact() replaces the stored updates with their merge (yjs mergeUpdates); the document
//     read back is the same. needsCompaction() says when a background pass should call it: more
//     than limits.compactAfterUpdates updates, or more than limits.compactAfterBytes appended
//     since the last compaction.
//   - storedBytes() is the updates' bytes; memoryBytes() estimates everything the document holds
//     (for memory limits and eviction).
// Not thread-safe: one owner (a shard) drives it.
#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "collab/yjs/DocumentLimits.hpp"
#include "collab/yjs/Expected.hpp"
#include "collab/yjs/StateVector.hpp"

namespace onair::collab::yjs {

class DocumentState {
 public:
  explicit DocumentState(const DocumentLimits& limits = {}) : limits_(limits) {}

  YjsError append(std::span<const uint8_t> update);
  // append() for a document's own saved state (a snapshot written by fullState()): decoded under
  // the document's bounds, not one client update's (a document grown by many edits is larger),
  // and never refused for the document limits — a compaction may have grown it a little past
  // them, or the limits were lowered since: what was saved loads.
  YjsError appendSaved(std::span<const uint8_t> saved);
  // What append() checks of one client update before storing anything (decoding under
  // limits.update, yjs's run order), without a document: peers check updates on their own shard.
  // `structs`, when given, receives the update's struct count (what storedStructs() would add).
  static YjsError check(std::span<const uint8_t> update, const UpdateLimits& limits, size_t* structs = nullptr);

  const StateVector& stateVector() const { return stateVector_; }
  Expected<std::vector<uint8_t>> diff(const StateVector& stateVector);
  Expected<std::vector<uint8_t>> diff(std::span<const uint8_t> encodedStateVector);
  Expected<std::vector<uint8_t>> fullState();

  bool needsCompaction() const;
  YjsError compact();

  // The stored updates, oldest first (what a store persists; append() them to load it again).
  const std::vector<std::vector<uint8_t>>& updates() const { return updates_; }
  size_t storedBytes() const { return storedBytes_; }
  size_t storedStructs() const { return storedStructs_; }
  size_t memoryBytes() const;

 private:
  YjsError appendUnder(std::span<const uint8_t> update, const UpdateLimits& limits, bool withinBounds);
  YjsError storeMerged(const std::vector<std::span<const uint8_t>>& inputs, bool withinBounds);
  void cover(uint64_t client, uint64_t start, uint64_t end);
  UpdateLimits storedLimits() const;

  DocumentLimits limits_;
  std::vector<std::vector<uint8_t>> updates_;
  size_t storedBytes_ = 0;
  size_t storedStructs_ = 0;       // structs of the stored updates together (repeats counted)
  size_t bytesSinceCompaction_ = 0;
  // Per client, the clock ranges [start, end) some stored update holds, joined when they touch.
  std::map<uint64_t, std::map<uint64_t, uint64_t>> coverage_;
  StateVector stateVector_;
};

}  // namespace onair::collab::yjs
