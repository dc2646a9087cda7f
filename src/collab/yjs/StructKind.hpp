#pragma once
#include <cstdint>

namespace onair::collab::yjs {

// What a struct in an update is: an Item with content, a GC (garbage-collected range kept for its
// ids) or a Skip (a hole in a merged update: ids the update does not have).
enum class StructKind : uint8_t { Item, Gc, Skip };

}  // namespace onair::collab::yjs
