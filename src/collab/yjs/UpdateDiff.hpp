#pragma once
// diffUpdate (yjs `Y.diffUpdate`): the part of an update a peer with a given state vector lacks —
// what onair answers sync step 1 with, without a Y.Doc.
//
// Contract: for each client, the structs from the state vector's clock on; a struct that straddles
// that clock is sliced there (Struct::sliceFrom, strings by UTF-16 offset). Skips are never the
// first struct written for a client. The delete set is copied whole (a peer may lack deletions of
// structs it already has). Applying the result to a document at that state vector brings it to
// the update's state, as yjs's diffUpdate does.
#include <cstdint>
#include <span>
#include <vector>

#include "collab/yjs/Expected.hpp"
#include "collab/yjs/StateVector.hpp"
#include "collab/yjs/Update.hpp"
#include "collab/yjs/UpdateLimits.hpp"

namespace onair::collab::yjs {

class UpdateDiff {
 public:
  static Update diff(const Update& update, const StateVector& stateVector);
  // Bytes in, bytes out: decodes both, diffs, encodes.
  static Expected<std::vector<uint8_t>> diff(std::span<const uint8_t> update, std::span<const uint8_t> stateVector,
                                             const UpdateLimits& limits = {});
};

}  // namespace onair::collab::yjs
