#pragma once
// The content of a Yjs item, kept as read: JSON texts and `any` values stay in their encoded form
// (onair never interprets them, it only moves them between updates), strings stay UTF-8.
//
// Contract: length() is the number of clock units the item covers, as yjs counts them (UTF-16
// code units for strings, elements for Json/Any, the deleted count for Deleted, 1 otherwise).
// sliceFrom(offset) returns the part from `offset` on (0 < offset < length()); only Deleted, Json,
// Any and String have more than one unit. A string cut inside a surrogate pair starts with U+FFFD,
// as yjs's ContentString.splice / TextEncoder write it.
#include <cstdint>
#include <string>
#include <vector>

#include "collab/yjs/ContentKind.hpp"

namespace onair::collab::yjs {

struct Content {
  ContentKind kind = ContentKind::Deleted;
  uint64_t deletedLength = 0;         // Deleted
  std::vector<std::string> elements;  // Json: JSON texts; Any: encoded `any` values
  std::string text;                   // String: UTF-8; Binary: bytes; Embed/Format: JSON; Doc: guid
  std::string key;                    // Format: key; Type: XmlElement/XmlHook name
  uint64_t typeRef = 0;               // Type
  std::string docOptions;             // Doc: encoded `any`
  uint64_t stringUnits = 0;           // String: length in UTF-16 code units

  uint64_t length() const;
  Content sliceFrom(uint64_t offset) const;

  bool operator==(const Content&) const = default;
};

}  // namespace onair::collab::yjs
