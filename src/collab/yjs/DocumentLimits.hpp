#pragma once
// Bounds on one document held by DocumentState, and when its stored updates are compacted.
#include <cstddef>

#include "collab/yjs/UpdateLimits.hpp"

namespace onair::collab::yjs {

struct DocumentLimits {
  UpdateLimits update;                       // each appended (client) update
  size_t maxDocumentBytes = 16 * 1024 * 1024;  // stored updates together, after compacting
  size_t maxDocumentStructs = 500'000;         // structs in the stored updates together, after compacting
  size_t compactAfterUpdates = 64;             // needsCompaction() past this many stored updates
  size_t compactAfterBytes = 256 * 1024;       // ... or this many bytes appended since the last compaction
};

}  // namespace onair::collab::yjs
