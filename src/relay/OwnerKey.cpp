#include "relay/OwnerKey.hpp"

#include "stage/StageRoomId.hpp"

namespace onair::relay {
namespace {

constexpr size_t kMaxIdBytes = 64;

bool startsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool validId(std::string_view id) { return !id.empty() && id.size() <= kMaxIdBytes; }

// The stage `stageId` (and its media room).
OwnedObject stageObject(std::string_view stageId) {
  const std::string room = stage::StageRoomId::roomOf(stageId);
  return {"media:" + room, {"stage:" + std::string(stageId), "streamroom:" + room}};
}

// The stream room `roomId`, which may be a stage's media room.
OwnedObject roomObject(std::string_view roomId) {
  OwnedObject o{"media:" + std::string(roomId), {"streamroom:" + std::string(roomId)}};
  if (auto stageId = stage::StageRoomId::stageOf(roomId)) o.records.push_back("stage:" + *stageId);
  return o;
}

std::optional<std::string_view> idArg(const boost::json::object& args, std::string_view name) {
  const auto* v = args.if_contains(name);
  if (!v || !v->is_string() || !validId(v->as_string())) return std::nullopt;
  return std::string_view(v->as_string());
}

// The path segment after `prefix`, up to the next '/'.
std::optional<std::string_view> segmentAfter(std::string_view path, std::string_view prefix) {
  if (!startsWith(path, prefix)) return std::nullopt;
  std::string_view id = path.substr(prefix.size());
  id = id.substr(0, id.find('/'));
  if (!validId(id)) return std::nullopt;
  return id;
}

}  // namespace

std::optional<OwnedObject> OwnerKey::of(std::string_view op, const boost::json::object& args) {
  if (startsWith(op, "stage.")) {
    auto stageId = idArg(args, "stageId");
    if (!stageId) return std::nullopt;
    return stageObject(*stageId);
  }
  if (startsWith(op, "streams.")) {
    auto roomId = idArg(args, "streamRoomId");
    if (!roomId) return std::nullopt;
    return roomObject(*roomId);
  }
  return std::nullopt;
}

std::optional<OwnedObject> OwnerKey::ofPath(std::string_view path) {
  if (auto stageId = segmentAfter(path, "/v1/stages/")) return stageObject(*stageId);
  if (auto roomId = segmentAfter(path, "/v1/streams/rooms/")) return roomObject(*roomId);
  return std::nullopt;
}

}  // namespace onair::relay
