#include "rooms/RoomName.hpp"

namespace onair::rooms {

bool RoomName::isValid(std::string_view name) {
  if (name.empty() || name.size() > 255) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
              c == '.' || c == ':' || c == '@' || c == '=';
    if (!ok) return false;
  }
  return true;
}

std::string_view RoomName::namespaceOf(std::string_view name) {
  auto colon = name.find(':');
  return colon == std::string_view::npos ? std::string_view() : name.substr(0, colon);
}

}  // namespace onair::rooms
