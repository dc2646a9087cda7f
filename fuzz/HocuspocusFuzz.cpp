// fuzz_hocuspocus: Hocuspocus 3.x frames (HocuspocusMessage) and the awareness updates they
// carry. Invariants: decode never reads past the input and refuses with a code or succeeds; what
// decodes re-encodes to at most as many bytes, which decode to the same message (document name,
// type, sync step and payload, auth type, text and whether there is one, sync status); an
// awareness payload that decodes re-encodes stably.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

#include "collab/yjs/AwarenessUpdate.hpp"
#include "collab/yjs/HocuspocusMessage.hpp"
#include "FuzzCheck.hpp"

using namespace onair::collab::yjs;

namespace {

bool same(std::span<const uint8_t> a, std::span<const uint8_t> b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

bool sameMessage(const HocuspocusMessage& a, const HocuspocusMessage& b) {
  return a.documentName == b.documentName && a.type == b.type && a.sync.step == b.sync.step &&
         same(a.sync.bytes, b.sync.bytes) && same(a.awareness, b.awareness) && a.authType == b.authType &&
         a.text == b.text && a.hasText == b.hasText && a.applied == b.applied;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  auto message = HocuspocusMessage::decode(input);
  if (!message) return 0;
  const auto encoded = message->encode();
  check(encoded.size() <= size);
  auto again = HocuspocusMessage::decode(encoded);
  check(again && sameMessage(*again, *message));
  if (message->type == HocuspocusMessage::Type::Awareness) {
    if (auto update = AwarenessUpdate::decode(message->awareness)) {
      auto reread = AwarenessUpdate::decode(update->encode());
      check(reread && *reread == *update);
    }
  }
  return 0;
}
