#include "streams/DemoStreamRooms.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <optional>

#include "engine/Registry.hpp"
#include "streams/StreamActor.hpp"
#include "streams/StreamRoomUpdate.hpp"
#include "streams/StreamService.hpp"

namespace onair::streams {

using api::ApiError;
using api::ErrorCode;
using api::Result;
namespace json = boost::json;

namespace {

// Concurrent first uses of one name race on the room's version; a few tries settle it.
constexpr int kAdmitAttempts = 5;

std::string recordKey(const std::string& name) { return "demostreamroom:" + name; }

ApiError unavailable(const engine::EngineError& e) { return {ErrorCode::ServiceUnavailable, "storage is unavailable: " + e.message, e.retryAfterMs}; }

// The object a service reply carries; nullopt for an error or another shape.
std::optional<json::object> objectOf(const Result& r) {
  if (const auto* v = std::get_if<json::value>(&r); v && v->is_object()) return v->as_object();
  if (const auto* t = std::get_if<api::JsonText>(&r)) {
    boost::system::error_code ec;
    auto v = json::parse(t->text, ec);
    if (!ec && v.is_object()) return std::move(v.as_object());
  }
  return std::nullopt;
}

// The room id a "demostreamroom:<name>" record holds; empty when it holds none.
std::string recordedRoom(const std::string& value) {
  boost::system::error_code ec;
  auto v = json::parse(value, ec);
  if (ec || !v.is_object()) return {};
  const auto* id = v.as_object().if_contains("streamRoomId");
  return id && id->is_string() ? std::string(id->as_string()) : std::string();
}

std::vector<std::string> strings(const json::value* list) {
  std::vector<std::string> out;
  if (!list || !list->is_array()) return out;
  for (const auto& v : list->as_array()) {
    if (v.is_string()) out.emplace_back(v.as_string());
  }
  return out;
}

std::string stringOf(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}


json::object answer(const std::string& roomId, const std::string& name, const std::string& contextId) {
  return json::object{{"streamRoomId", roomId}, {"contextId", contextId}, {"name", name}};
}

}  // namespace

DemoStreamRooms::DemoStreamRooms(engine::Registry& registry, StreamService& service, std::string contextId)
    : registry_(registry), service_(service), contextId_(std::move(contextId)) {}

void DemoStreamRooms::open(const std::string& name, const std::string& userId, api::Reply reply) {
  registry_.get(recordKey(name), [this, name, userId, reply](engine::Outcome<std::optional<engine::Record>> r) {
    if (const auto* e = std::get_if<engine::EngineError>(&r)) return reply(unavailable(*e));
    const auto& record = std::get<std::optional<engine::Record>>(r);
    std::string roomId = record ? recordedRoom(record->value) : std::string();
    const uint64_t version = record ? record->version : 0;
    if (roomId.empty()) return create(name, userId, version, reply);
    admit(name, userId, roomId, version, kAdmitAttempts, reply);
  });
}

void DemoStreamRooms::create(const std::string& name, const std::string& userId, uint64_t recordVersion, api::Reply reply) {
  StreamRoomSpec spec;
  spec.contextId = contextId_;
  spec.users = {userId};
  spec.policy = json::object{{"demoName", name}};
  service_.create(std::move(spec), StreamActor{}, [this, name, userId, recordVersion, reply](Result r) {
    auto made = objectOf(r);
    if (!made) return reply(std::get_if<ApiError>(&r) ? r : Result{ApiError{ErrorCode::Internal, "stream room create answered no room", std::nullopt}});
    const std::string roomId = stringOf(*made, "streamRoomId");
    json::object value{{"streamRoomId", roomId}};
    registry_.put(recordKey(name), json::serialize(value), recordVersion, [this, name, userId, roomId, reply](engine::Outcome<engine::PutResult> p) {
      if (const auto* e = std::get_if<engine::EngineError>(&p)) return reply(unavailable(*e));
      const auto& put = std::get<engine::PutResult>(p);
      if (!put.conflict) return reply(answer(roomId, name, contextId_));
      // Another first use recorded its room meanwhile: ours goes, theirs is used.
      service_.remove(roomId, StreamActor{}, [](Result) {});
      std::string winner = recordedRoom(put.record.value);
      if (winner.empty()) return reply(ApiError{ErrorCode::Conflict, "demo stream room " + name + " is being made: try again", std::nullopt});
      admit(name, userId, winner, put.record.version, kAdmitAttempts, reply);
    });
  });
}

void DemoStreamRooms::admit(const std::string& name, const std::string& userId, const std::string& roomId, uint64_t recordVersion,
                            int attemptsLeft, api::Reply reply) {
  service_.get(roomId, StreamActor{}, [this, name, userId, roomId, recordVersion, attemptsLeft, reply](Result r) {
    if (const auto* e = std::get_if<ApiError>(&r)) {
      if (e->code == ErrorCode::NotFound) return create(name, userId, recordVersion, reply);
      return reply(*e);
    }
    auto room = objectOf(r);
    if (!room) return reply(ApiError{ErrorCode::Internal, "stream room " + roomId + " could not be read", std::nullopt});
    StreamRoomUpdate update;
    update.spec.users = strings(room->if_contains("users"));
    update.spec.managers = strings(room->if_contains("managers"));
    const bool member = std::find(update.spec.users.begin(), update.spec.users.end(), userId) != update.spec.users.end();
    if (member) return reply(answer(roomId, name, contextId_));
    update.spec.users.push_back(userId);
    update.spec.publicMeta = stringOf(*room, "publicMeta");
    update.spec.privateMeta = stringOf(*room, "privateMeta");
    if (const auto* policy = room->if_contains("policy"); policy && policy->is_object()) update.spec.policy = policy->as_object();
    const auto* version = room->if_contains("version");
    update.version = version && version->is_number() ? version->to_number<uint64_t>() : 0;
    service_.update(roomId, std::move(update), StreamActor{}, [this, name, userId, roomId, recordVersion, attemptsLeft, reply](Result u) {
      const auto* e = std::get_if<ApiError>(&u);
      if (!e) return reply(answer(roomId, name, contextId_));
      // Someone else was added at the same moment: read the room again.
      if (e->code == ErrorCode::Conflict && attemptsLeft > 1) return admit(name, userId, roomId, recordVersion, attemptsLeft - 1, reply);
      reply(*e);
    });
  });
}

}  // namespace onair::streams
