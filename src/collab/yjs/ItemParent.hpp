#pragma once
// Where an item without origins lives: a root type named in `doc.share` (e.g. "text"), or the
// type created by another item, named by that item's id.
#include <string>

#include "collab/yjs/Id.hpp"

namespace onair::collab::yjs {

struct ItemParent {
  bool isRoot = true;
  std::string rootName;  // when isRoot
  Id item;               // when !isRoot

  bool operator==(const ItemParent&) const = default;
};

}  // namespace onair::collab::yjs
