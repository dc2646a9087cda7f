#include "collab/yjs/Struct.hpp"

namespace onair::collab::yjs {

Struct Struct::sliceFrom(uint64_t diff) const {
  Struct right = *this;
  right.id.clock = id.clock + diff;
  if (kind != StructKind::Item) {
    right.gcLength = gcLength - diff;
    return right;
  }
  right.origin = Id{id.client, id.clock + diff - 1};
  right.content = content.sliceFrom(diff);
  return right;
}

Struct Struct::lazyForm() const {
  Struct lazy = *this;
  if (origin || rightOrigin) lazy.parentSub.reset();
  return lazy;
}

}  // namespace onair::collab::yjs
