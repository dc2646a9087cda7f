#pragma once
// Member page cursors (room.members, and the membersCursor of room.join): opaque to clients,
// base64url of "m<order>", the join order of the last member a page returned. The next page
// holds the members whose join order is greater, so paging returns each member present
// throughout exactly once, and members who joined meanwhile at the end.
// decode() is a parser of client input: pure, bounded, fuzzed (fuzz/CursorFuzz.cpp).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace onair::rooms {

struct MemberCursor {
  uint64_t after = 0;  // join order of the last member returned

  std::string encode() const;
  static std::optional<MemberCursor> decode(std::string_view text);
};

}  // namespace onair::rooms
