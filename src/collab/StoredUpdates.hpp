#pragma once
// How a document's stream entry holds its Yjs updates (the entry's JSON data): one update is a
// JSON string of its bytes in base64url; a batch (DocumentOptions::batchWindow) is a JSON array
// of such strings, applied in order. Pure; decode() is size-limited and fuzzed
// (fuzz/StoredUpdatesFuzz.cpp): the stream may come from another node or a damaged store.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace onair::collab {

struct StoredUpdates {
  static constexpr size_t kMaxUpdates = 4096;  // in one entry; a batch leaves long before

  // The entry's data for `updates` (at least one).
  static std::string encode(std::span<const std::vector<uint8_t>> updates);
  // The updates of an entry; nullopt when it is neither form, holds no update or more than
  // kMaxUpdates, or a string is not base64url.
  static std::optional<std::vector<std::vector<uint8_t>>> decode(std::string_view json);
};

}  // namespace onair::collab
