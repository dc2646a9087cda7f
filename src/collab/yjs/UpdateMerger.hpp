#pragma once
// mergeUpdates (yjs `Y.mergeUpdates`): many updates into one, struct by struct, without a Y.Doc —
// how onair compacts a document's stored updates.
//
// Contract: follows yjs 13.6 `mergeUpdatesV2`: the inputs' structs are walked in order of
// client (highest first) and clock; structs already written are passed over, a struct that
// overlaps what was written is sliced (Struct::sliceFrom), a gap in a client's clocks becomes a
// Skip, adjacent GCs are joined (items are not: yjs's lazy mergeWith never joins items). Delete
// sets are united and normalized. The result applied to a fresh Y.Doc gives the same document as
// applying every input. One input is returned as decoded.
#include <cstdint>
#include <span>
#include <vector>

#include "collab/yjs/Expected.hpp"
#include "collab/yjs/Update.hpp"
#include "collab/yjs/UpdateLimits.hpp"

namespace onair::collab::yjs {

class UpdateMerger {
 public:
  static Update merge(const std::vector<Update>& updates);
  // Bytes in, bytes out; refuses more than limits.maxMergeInputs inputs, limits.maxMergeBytes of
  // them or limits.maxMergeStructs structs in them together, and any input that does not decode.
  static Expected<std::vector<uint8_t>> merge(const std::vector<std::span<const uint8_t>>& updates,
                                              const UpdateLimits& limits = {});
};

}  // namespace onair::collab::yjs
