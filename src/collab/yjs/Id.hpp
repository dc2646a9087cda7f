#pragma once
// A Yjs struct id: the client that created it and its clock, the count of units (characters,
// array elements, map writes) that client had created before it.
#include <cstdint>

namespace onair::collab::yjs {

struct Id {
  uint64_t client = 0;
  uint64_t clock = 0;

  bool operator==(const Id&) const = default;
};

}  // namespace onair::collab::yjs
