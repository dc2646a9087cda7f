#include "collab/yjs/UpdateMerger.hpp"

#include <algorithm>

#include "collab/yjs/UpdateDecoder.hpp"
#include "collab/yjs/UpdateEncoder.hpp"

namespace onair::collab::yjs {

namespace {

// Walks one input's structs, passing over Skips (they carry nothing to merge).
class StructCursor {
 public:
  explicit StructCursor(const std::vector<Struct>& structs) : structs_(&structs) { passSkips(); }
  const Struct* current() const { return pos_ < structs_->size() ? &(*structs_)[pos_] : nullptr; }
  const Struct* next() {
    ++pos_;
    passSkips();
    return current();
  }

 private:
  void passSkips() {
    while (pos_ < structs_->size() && (*structs_)[pos_].isSkip()) ++pos_;
  }
  const std::vector<Struct>* structs_;
  size_t pos_ = 0;
};

// Higher clients first, then lower clocks (yjs's order).
bool comesFirst(const StructCursor& a, const StructCursor& b) {
  const Struct& x = *a.current();
  const Struct& y = *b.current();
  if (x.id.client != y.id.client) return x.id.client > y.id.client;
  return x.id.clock < y.id.clock;
}

// yjs's lazy mergeWith: only GCs (and Skips) join; items never do.
bool joinInto(Struct& left, const Struct& right) {
  if (left.kind == StructKind::Item || left.kind != right.kind) return false;
  left.gcLength += right.gcLength;
  return true;
}

Struct skip(uint64_t client, uint64_t clock, uint64_t length) {
  Struct s;
  s.kind = StructKind::Skip;
  s.id = Id{client, clock};
  s.gcLength = length;
  return s;
}

}  // namespace

Update UpdateMerger::merge(const std::vector<Update>& updates) {
  if (updates.size() == 1) return updates.front();  // yjs returns a lone update untouched
  std::vector<StructCursor> cursors;
  for (const Update& update : updates) cursors.emplace_back(update.structs);
  Update out;
  std::optional<Struct> pending;  // the struct being written, still open to joins
  while (true) {
    std::erase_if(cursors, [](const StructCursor& c) { return c.current() == nullptr; });
    if (cursors.empty()) break;
    std::stable_sort(cursors.begin(), cursors.end(), comesFirst);
    StructCursor& cursor = cursors.front();
    const uint64_t firstClient = cursor.current()->id.client;
    if (!pending) {
      pending = cursor.current()->lazyForm();
      cursor.next();
    } else {
      // Pass over what has been written already (yjs compares across clients here as well).
      const Struct* curr = cursor.current();
      bool passed = false;
      while (curr != nullptr && curr->endClock() <= pending->endClock() && curr->id.client >= pending->id.client) {
        curr = cursor.next();
        passed = true;
      }
      // Another input may hold this client's structs in between: sort again.
      if (curr == nullptr || curr->id.client != firstClient || (passed && curr->id.clock > pending->endClock())) {
        continue;
      }
      if (firstClient != pending->id.client) {
        out.structs.push_back(std::move(*pending));
        pending = curr->lazyForm();
        cursor.next();
      } else if (pending->endClock() < curr->id.clock) {
        // A gap in this client's clocks: a Skip covers it.
        if (pending->isSkip()) {
          pending->gcLength = curr->endClock() - pending->id.clock;
        } else {
          const uint64_t gapStart = pending->endClock();
          out.structs.push_back(std::move(*pending));
          pending = skip(firstClient, gapStart, curr->id.clock - gapStart);
        }
      } else {
        // Overlap or contact: keep the written part, slice the newcomer after it.
        Struct next = curr->lazyForm();
        const uint64_t overlap = pending->endClock() - curr->id.clock;
        if (overlap > 0) {
          if (pending->isSkip()) {
            pending->gcLength -= overlap;
          } else {
            next = next.sliceFrom(overlap);
          }
        }
        if (!joinInto(*pending, next)) {
          out.structs.push_back(std::move(*pending));
          pending = std::move(next);
          cursor.next();
        }
      }
    }
    // Write on from the same input while it continues this client without a gap.
    for (const Struct* next = cursor.current();
         next != nullptr && next->id.client == firstClient && next->id.clock == pending->endClock() && !next->isSkip();
         next = cursor.next()) {
      out.structs.push_back(std::move(*pending));
      pending = next->lazyForm();
    }
  }
  if (pending) out.structs.push_back(std::move(*pending));
  for (const Update& update : updates) out.deleteSet.addAll(update.deleteSet);
  out.deleteSet.normalize();
  return out;
}

Expected<std::vector<uint8_t>> UpdateMerger::merge(const std::vector<std::span<const uint8_t>>& updates,
                                                   const UpdateLimits& limits) {
  if (updates.size() > limits.maxMergeInputs) return YjsError::TooManyUpdates;
  size_t total = 0;
  for (const auto& bytes : updates) total += bytes.size();
  if (total > limits.maxMergeBytes) return YjsError::TooLarge;
  std::vector<Update> decoded;
  decoded.reserve(updates.size());
  for (const auto& bytes : updates) {
    auto update = UpdateDecoder::decode(bytes, limits);
    if (!update) return update.error();
    decoded.push_back(std::move(*update));
  }
  return UpdateEncoder::encode(merge(decoded));
}

}  // namespace onair::collab::yjs
