// fuzz_stored_updates: a Yjs document's stream entry (collab/StoredUpdates). Invariants: decode
// never reads past the input and either refuses or yields 1..kMaxUpdates updates; what decodes
// re-encodes to an entry that decodes to the same updates; and any split of the input into
// updates survives encode then decode unchanged.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "collab/StoredUpdates.hpp"
#include "FuzzCheck.hpp"

using onair::collab::StoredUpdates;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto updates = StoredUpdates::decode(text)) {
    check(!updates->empty() && updates->size() <= StoredUpdates::kMaxUpdates);
    auto again = StoredUpdates::decode(StoredUpdates::encode(*updates));
    check(again && *again == *updates);
  }
  // The input's bytes as updates: the first byte (if any) says how many pieces.
  if (size == 0) return 0;
  const size_t pieces = 1 + data[0] % 8;
  std::vector<std::vector<uint8_t>> updates;
  const size_t step = (size - 1) / pieces + 1;
  for (size_t at = 1; updates.size() < pieces; at += step) {
    const size_t from = std::min(at, size), to = std::min(at + step, size);
    updates.emplace_back(data + from, data + to);
  }
  auto back = StoredUpdates::decode(StoredUpdates::encode(updates));
  check(back && *back == updates);
  return 0;
}
