// fuzz_cursor: history, members and snapshot cursors, room names, live attach ids and ISO-8601 times (live expiresAt),
// all straight from clients.
// Invariants: decode never crashes; whatever decodes re-encodes to a cursor that decodes to the
// same value; a valid name satisfies the documented rule and has a namespace that is a prefix.
#include <cstddef>
#include <cstdint>
#include <chrono>
#include <string_view>

#include "live/AttachId.hpp"
#include "rooms/Cursor.hpp"
#include "rooms/MemberCursor.hpp"
#include "rooms/RoomName.hpp"
#include "rooms/SnapshotCursor.hpp"
#include "util/Time.hpp"
#include "FuzzCheck.hpp"

using onair::rooms::Cursor;
using onair::rooms::MemberCursor;
using onair::rooms::SnapshotCursor;
using onair::rooms::RoomName;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto c = Cursor::decode(text)) {
    check(c->offset > 0 && !c->epoch.empty() && c->epoch.size() <= 32);
    auto again = Cursor::decode(c->encode());
    check(again && again->offset == c->offset && again->forward == c->forward && again->epoch == c->epoch);
  }
  if (auto c = MemberCursor::decode(text)) {
    auto again = MemberCursor::decode(c->encode());
    check(again && again->after == c->after);
  }
  if (auto c = SnapshotCursor::decode(text)) {
    check(!c->epoch.empty() && c->epoch.size() <= 32);
    auto again = SnapshotCursor::decode(c->encode());
    check(again && again->membersAfter == c->membersAfter && again->messagesFrom == c->messagesFrom &&
          again->messagesLeft == c->messagesLeft && again->epoch == c->epoch);
  }
  if (RoomName::isValid(text)) {
    check(!text.empty() && text.size() <= 255);
    auto ns = RoomName::namespaceOf(text);
    check(text.substr(0, ns.size()) == ns);
    check(ns.find(':') == std::string_view::npos);
  }
  if (auto liveId = onair::live::AttachId::liveIdOf(text)) {
    // Whatever parses round-trips through a freshly made id.
    check(!liveId->empty() && liveId->size() <= 255 && liveId->find(':') != std::string::npos);
    check(onair::live::AttachId::liveIdOf(onair::live::AttachId::make(*liveId)) == liveId);
  }
  if (auto ms = onair::util::parseIsoTimeMs(text)) {
    // Whatever parses is a time that prints back to a parseable string.
    auto again = onair::util::parseIsoTimeMs(onair::util::isoTime(onair::util::SystemTime(std::chrono::milliseconds(*ms))));
    check(again.has_value());
  }
  return 0;
}
