#pragma once
// Snapshot page cursors (room.snapshot): opaque to clients, base64url of
// "s<membersAfter>:<messagesFrom>:<messagesLeft>:<epoch>". The next page holds the members whose
// join order is greater than membersAfter ("-": the member list is done) and, going back from
// offset messagesFrom, the messagesLeft older messages the first page asked for and did not fit.
// decode() is a parser of client input: pure, bounded, fuzzed (fuzz/CursorFuzz.cpp).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace onair::rooms {

struct SnapshotCursor {
  std::optional<uint64_t> membersAfter;  // nullopt: no more members
  uint64_t messagesFrom = 0;             // newest offset of the next messages (inclusive)
  uint32_t messagesLeft = 0;             // 0: no more messages
  std::string epoch;                     // the stream's epoch at the first page

  std::string encode() const;
  static std::optional<SnapshotCursor> decode(std::string_view text);
};

}  // namespace onair::rooms
