#include "rooms/RequestParts.hpp"

#include <boost/json.hpp>

#include "rooms/RoomName.hpp"

namespace onair::rooms {
namespace {

// The optional `cursor` argument, decoded by `CursorType`; a string it does not take fails the call.
template <class CursorType>
std::optional<CursorType> cursorArg(api::ArgReader& args, size_t maxLength, const char* kind) {
  auto text = args.optionalString("cursor", maxLength);
  if (!text) return std::nullopt;
  auto cursor = CursorType::decode(*text);
  if (!cursor) args.fail(std::string("cursor is not ") + kind + " cursor this server gave out");
  return cursor;
}

}  // namespace

std::string RequestParts::name(api::ArgReader& args, const char* field) {
  std::string n = args.string(field, 1, 255);
  if (!args.error() && !RoomName::isValid(n)) args.fail(std::string(field) + " must be " + RoomName::kRule);
  return n;
}

PublishRequest RequestParts::publish(api::ArgReader& args, Kind kind, std::string name, std::string publisher) {
  PublishRequest p;
  p.kind = kind;
  p.name = std::move(name);
  p.type = args.string("type", 1, 128);
  p.dataJson = boost::json::serialize(args.any("data"));
  p.idempotencyKey = args.optionalString("idempotencyKey", 128);
  p.publisher = std::move(publisher);
  return p;
}

HistoryRequest RequestParts::history(api::ArgReader& args, Kind kind, std::string name) {
  HistoryRequest h;
  h.kind = kind;
  h.name = std::move(name);
  h.limit = static_cast<uint32_t>(args.integer("limit", 1, 1000, 50));
  h.forward = args.choice("direction", {"backward", "forward"}, "backward") == "forward";
  h.cursor = cursorArg<Cursor>(args, 128, "a history");
  return h;
}

MembersRequest RequestParts::members(api::ArgReader& args, std::string room) {
  MembersRequest m;
  m.room = std::move(room);
  m.limit = static_cast<uint32_t>(args.integer("limit", 1, RoomService::kMemberPageMax, RoomService::kMemberPageDefault));
  m.cursor = cursorArg<MemberCursor>(args, 64, "a members");
  return m;
}

SnapshotRequest RequestParts::snapshot(api::ArgReader& args, std::string room) {
  SnapshotRequest r;
  r.room = std::move(room);
  r.limit = static_cast<uint32_t>(args.integer("limit", 1, 1000, 20));
  r.cursor = cursorArg<SnapshotCursor>(args, 160, "a snapshot");
  // A page never has more messages left than the largest limit: a forged cursor cannot ask for more.
  if (r.cursor && r.cursor->messagesLeft > 1000) args.fail("cursor is not a snapshot cursor this server gave out");
  return r;
}

std::optional<engine::StreamPosition> RequestParts::since(api::ArgReader& args, const boost::json::object& raw) {
  const auto* obj = args.optionalObject("since");
  if (!obj) return std::nullopt;
  api::ArgReader inner(*obj);
  auto offset = inner.optionalInteger("offset", 0, INT64_MAX);
  auto epoch = inner.optionalString("epoch", 64);
  if (!offset || !epoch || inner.error()) {
    args.fail("since must be {offset: integer >= 0, epoch: string}");
    return std::nullopt;
  }
  return engine::StreamPosition{static_cast<uint64_t>(*offset), *epoch};
}

}  // namespace onair::rooms
