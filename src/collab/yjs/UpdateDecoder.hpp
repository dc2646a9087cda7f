#pragma once
// Decodes a v1 Yjs update (format in Update.hpp) into structs and a delete set.
//
// Contract: pure and bounded. Refuses (with a YjsError) inputs over limits.maxUpdateBytes, more
// than limits.maxStructs structs or limits.maxDeleteRanges ranges, `any` values nested deeper
// than limits.maxAnyDepth, unknown content refs / type refs / any tags, malformed UTF-8, structs
// of length 0, clocks past 2^53 and bytes after the delete set. Nothing is allocated for a count
// or length the remaining bytes cannot hold.
#include <cstdint>
#include <span>

#include "collab/yjs/Expected.hpp"
#include "collab/yjs/Update.hpp"
#include "collab/yjs/UpdateLimits.hpp"

namespace onair::collab::yjs {

class UpdateDecoder {
 public:
  static Expected<Update> decode(std::span<const uint8_t> bytes, const UpdateLimits& limits = {});
};

}  // namespace onair::collab::yjs
