#pragma once
// Attach ids: "at_<random>.<base64url of the liveId>", so release, heartbeat and the unload
// beacon find the broadcast's owner without a lookup. liveIds are at most 255 bytes. liveIdOf() parses client input: pure,
// bounded (≤ 700 bytes), fuzzed (fuzz_cursor).
#include <optional>
#include <string>
#include <string_view>

namespace onair::live {

struct AttachId {
  static std::string make(std::string_view liveId);
  // A slot's key on its broadcast's owner: the random part before the '.', "at_" + 12 characters
  // for every id make() returns — short enough to be stored inside a std::string (no heap key,
  // one cache miss less per lookup). Unique per slot: 72 random bits.
  static std::string_view key(std::string_view attachId) { return attachId.substr(0, attachId.find('.')); }
  static std::optional<std::string> liveIdOf(std::string_view attachId);
  // The id make() gave out, from its key and liveId (slots keep only the key).
  static std::string join(std::string_view key, std::string_view liveId);
};

}  // namespace onair::live
