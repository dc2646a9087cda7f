// fuzz_yjs_sync: y-websocket frames (SyncMessage), the awareness updates they carry
// (AwarenessUpdate) and the document they feed (DocumentState). Invariants:
//   - decode never reads past the input and refuses with a code or succeeds; what decodes
//     re-encodes to at most as many bytes, which decode to the same message;
//   - an awareness payload that decodes re-encodes stably (entries, states and removals kept);
//   - a sync update or step 2 appended to a DocumentState (twice; and after its own tail from half
//     of each client's clock, out of order) never crashes; the document's state vector is the one
//     of its own full state, and its diff against that state vector holds only structs past it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "collab/yjs/AwarenessUpdate.hpp"
#include "collab/yjs/DocumentState.hpp"
#include "collab/yjs/StateVector.hpp"
#include "collab/yjs/SyncMessage.hpp"
#include "collab/yjs/UpdateDecoder.hpp"
#include "collab/yjs/UpdateDiff.hpp"
#include "collab/yjs/UpdateEncoder.hpp"
#include "FuzzCheck.hpp"

using namespace onair::collab::yjs;

namespace {

bool same(std::span<const uint8_t> a, std::span<const uint8_t> b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

void checkAwareness(std::span<const uint8_t> bytes) {
  auto update = AwarenessUpdate::decode(bytes);
  if (!update) return;
  const auto encoded = update->encode();
  check(encoded.size() <= bytes.size());
  auto again = AwarenessUpdate::decode(encoded);
  check(again && *again == *update);
}

// The document's state vector is its full state's, and a diff against it holds only what lies
// past it (after holes).
void checkConsistent(DocumentState& doc) {
  auto full = doc.fullState();
  check(static_cast<bool>(full));
  auto decoded = UpdateDecoder::decode(*full);
  check(static_cast<bool>(decoded));
  check(StateVector::fromUpdate(*decoded) == doc.stateVector());
  const StateVector sv = doc.stateVector();
  auto rest = doc.diff(sv);
  check(static_cast<bool>(rest));
  auto restDecoded = UpdateDecoder::decode(*rest);
  check(static_cast<bool>(restDecoded));
  for (const Struct& s : restDecoded->structs) check(s.endClock() > sv.clock(s.id.client));
}

void checkDocument(std::span<const uint8_t> bytes) {
  auto update = UpdateDecoder::decode(bytes);
  if (!update) return;
  DocumentLimits limits;
  limits.compactAfterUpdates = 2;
  DocumentState doc(limits);
  if (doc.append(bytes) != YjsError::None) return;
  check(doc.append(bytes) == YjsError::None);
  if (doc.needsCompaction()) check(doc.compact() == YjsError::None);
  checkConsistent(doc);
  // Overlapping pieces out of order: the update's tail (from half of each client's clock on)
  // first, then the update.
  const StateVector own = StateVector::fromUpdate(*update);
  StateVector half;
  for (const auto& [client, clock] : own.clocks()) half.set(client, clock / 2);
  const auto tail = UpdateEncoder::encode(UpdateDiff::diff(*update, half));
  DocumentState pieces(limits);
  if (pieces.append(tail) != YjsError::None) return;
  check(pieces.append(bytes) == YjsError::None);
  checkConsistent(pieces);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  auto message = SyncMessage::decode(input);
  if (!message) return 0;
  const auto encoded = message->encode();
  check(encoded.size() <= size);
  auto again = SyncMessage::decode(encoded);
  check(static_cast<bool>(again));
  check(again->type == message->type && again->sync.step == message->sync.step &&
        same(again->sync.bytes, message->sync.bytes) && same(again->awareness, message->awareness) &&
        again->reason == message->reason);
  if (message->type == SyncMessage::Type::Awareness) checkAwareness(message->awareness);
  if (message->type != SyncMessage::Type::Sync) return 0;
  if (message->sync.step == SyncStep::Step1) {
    auto sv = StateVector::decode(message->sync.bytes);
    if (sv) check(StateVector::decode(sv->encode()) && *StateVector::decode(sv->encode()) == *sv);
    return 0;
  }
  checkDocument(message->sync.bytes);
  return 0;
}
