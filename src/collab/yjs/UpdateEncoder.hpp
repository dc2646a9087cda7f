#pragma once
// Encodes an Update back into v1 bytes (format in Update.hpp), the way yjs's Item.write /
// GC.write / Skip.write and its lazy struct writer do: the info byte is recomputed from what the
// struct holds, the parent (and parentSub) is written only for items without origins, and a new
// run starts whenever the client changes or the clocks are not consecutive.
//
// Contract: decode(encode(u)) == u for every u that decode produced (up to the parentSub of items
// with origins, which the wire never carries), and yjs reads the bytes as the same document.
#include <cstdint>
#include <vector>

#include "collab/yjs/Update.hpp"

namespace onair::collab::yjs {

class UpdateEncoder {
 public:
  static std::vector<uint8_t> encode(const Update& update);
};

}  // namespace onair::collab::yjs
