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
  static std::optional<std::string> liveIdOf(std::string_view attachId);
};

}  // namespace onair::live
