#pragma once
// The content ref of an item: the low five bits of its info byte (yjs `contentRefs`).
#include <cstdint>

namespace onair::collab::yjs {

enum class ContentKind : uint8_t {
  Deleted = 1,  // var uint length: deleted units kept only for their ids
  Json = 2,     // var uint count, count × var string (JSON text, or "undefined")
  Binary = 3,   // var uint8 array; length 1
  String = 4,   // var string; length in UTF-16 code units
  Embed = 5,    // var string (JSON); length 1
  Format = 6,   // var string key, var string (JSON) value; length 1
  Type = 7,     // var uint type ref (0..6), and a var string name for XmlElement (3) / XmlHook (5)
  Any = 8,      // var uint count, count × any
  Doc = 9,      // var string guid, any options; length 1
};

}  // namespace onair::collab::yjs
