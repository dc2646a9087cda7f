#pragma once
// One struct of a Yjs update, as yjs's lazy struct reader sees it (Item, GC or Skip).
//
// Contract: an Item's length is its content's; a GC's or Skip's is `length`. An item read from the
// wire has a parent only when it has neither origin (yjs writes the parent only then); an item
// with an origin has a parentSub when the info byte's bit 6 says so (empty: the wire does not carry
// it; the encoder sets the bit again and writes nothing). sliceFrom(diff) is yjs's sliceStruct:
// the part from clock + diff on, its origin the unit just before. lazyForm() is the struct as
// yjs's lazy struct reader holds it (mergeUpdates, diffUpdate): an item with an origin loses its
// parentSub, so its bit 6 is not written again.
#include <cstdint>
#include <optional>
#include <string>

#include "collab/yjs/Content.hpp"
#include "collab/yjs/Id.hpp"
#include "collab/yjs/ItemParent.hpp"
#include "collab/yjs/StructKind.hpp"

namespace onair::collab::yjs {

struct Struct {
  StructKind kind = StructKind::Item;
  Id id;
  uint64_t gcLength = 0;  // Gc and Skip
  std::optional<Id> origin;
  std::optional<Id> rightOrigin;
  std::optional<ItemParent> parent;
  std::optional<std::string> parentSub;
  Content content;

  uint64_t length() const { return kind == StructKind::Item ? content.length() : gcLength; }
  uint64_t endClock() const { return id.clock + length(); }
  bool isSkip() const { return kind == StructKind::Skip; }
  Struct sliceFrom(uint64_t diff) const;
  Struct lazyForm() const;

  bool operator==(const Struct&) const = default;
};

}  // namespace onair::collab::yjs
