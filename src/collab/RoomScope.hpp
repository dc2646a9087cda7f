#pragma once
// Which scope a client's grants give it on a collab room: `collab:<pattern>:read-write` gives
// "read-write", `collab:<pattern>:readonly` gives "readonly"; read-write wins when both match
// (the action `*` counts as read-write). No match: no token.
#include <optional>
#include <string_view>

namespace onair::auth {
class GrantSet;
}

namespace onair::collab {

struct RoomScope {
  static constexpr std::string_view kReadWrite = "read-write";
  static constexpr std::string_view kReadOnly = "readonly";

  static std::optional<std::string_view> of(const auth::GrantSet& grants, std::string_view room);
};

}  // namespace onair::collab
