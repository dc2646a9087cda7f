#pragma once
// Room and channel names: 1 to 255 bytes of [A-Za-z0-9_\-.:@=]; the namespace is the part before
// the first ':' ("" when there is none).
#include <string>
#include <string_view>

namespace onair::rooms {

struct RoomName {
  static bool isValid(std::string_view name);
  static std::string_view namespaceOf(std::string_view name);
  static constexpr const char* kRule = "1 to 255 bytes of A-Z a-z 0-9 _ - . : @ =";
};

}  // namespace onair::rooms
