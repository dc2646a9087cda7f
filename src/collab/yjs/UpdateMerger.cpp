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

// yjs's comparator: higher clients first, then lower clocks. At equal clocks it calls a struct
// of another kind "first" whichever way round it is asked (an Item and a GC for the same ids), so
// which of the two wins depends on the sort algorithm; see sortLikeV8.
int yjsOrder(const StructCursor& a, const StructCursor& b) {
  const Struct& x = *a.current();
  const Struct& y = *b.current();
  if (x.id.client != y.id.client) return x.id.client > y.id.client ? -1 : 1;
  if (x.id.clock != y.id.clock) return x.id.clock < y.id.clock ? -1 : 1;
  return x.kind == y.kind ? 0 : -1;
}

// Array.prototype.sort as V8 runs it on fewer than 64 elements (TimSort's first run, then binary
// insertion sort), so that the inconsistent comparator above picks what yjs in node picks and the
// merged bytes are yjs's. Longer lists are sorted stably; the document is the same either way
// (a GC only stands for deleted content).
void sortLikeV8(std::vector<StructCursor>& cursors) {
  const size_t n = cursors.size();
  if (n < 2) return;
  if (n >= 64) {
    std::stable_sort(cursors.begin(), cursors.end(),
                     [](const StructCursor& a, const StructCursor& b) { return yjsOrder(a, b) < 0; });
    return;
  }
  size_t run = 2;
  const bool descending = yjsOrder(cursors[1], cursors[0]) < 0;
  while (run < n) {
    const int order = yjsOrder(cursors[run], cursors[run - 1]);
    if (descending ? order >= 0 : order < 0) break;
    ++run;
  }
  if (descending) std::reverse(cursors.begin(), cursors.begin() + static_cast<std::ptrdiff_t>(run));
  for (size_t start = run; start < n; ++start) {
    StructCursor pivot = cursors[start];
    size_t left = 0;
    size_t right = start;
    while (left < right) {
      const size_t mid = left + ((right - left) >> 1);
      if (yjsOrder(pivot, cursors[mid]) < 0) {
        right = mid;
      } else {
        left = mid + 1;
      }
    }
    for (size_t p = start; p > left; --p) cursors[p] = cursors[p - 1];
    cursors[left] = pivot;
  }
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
    sortLikeV8(cursors);
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
  size_t structs = 0;
  for (const auto& bytes : updates) {
    auto update = UpdateDecoder::decode(bytes, limits);
    if (!update) return update.error();
    structs += update->structs.size();
    if (structs > limits.maxMergeStructs) return YjsError::TooManyStructs;
    decoded.push_back(std::move(*update));
  }
  return UpdateEncoder::encode(merge(decoded));
}

}  // namespace onair::collab::yjs
