#include "collab/RoomScope.hpp"

#include "auth/GrantSet.hpp"

namespace onair::collab {

std::optional<std::string_view> RoomScope::of(const auth::GrantSet& grants, std::string_view room) {
  if (grants.allows("collab", room, kReadWrite)) return kReadWrite;
  if (grants.allows("collab", room, kReadOnly)) return kReadOnly;
  return std::nullopt;
}

}  // namespace onair::collab
