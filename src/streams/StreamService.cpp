#include "streams/StreamService.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <unordered_map>

#include "api/ClientSession.hpp"
#include "api/Envelope.hpp"
#include "net/WsCodec.hpp"
#include "net/WsConnection.hpp"
#include "rtc/WebRtcServerPool.hpp"
#include "streams/MediaRoom.hpp"
#include "streams/OpaqueMeta.hpp"
#include "util/Random.hpp"

namespace onair::streams {

using api::ApiError;
using api::ErrorCode;
namespace json = boost::json;

namespace {

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

ApiError unavailable(const engine::EngineError& e) { return {ErrorCode::ServiceUnavailable, "storage is unavailable: " + e.message, e.retryAfterMs}; }
ApiError notFound(const std::string& roomId) { return {ErrorCode::NotFound, "no stream room " + roomId, std::nullopt}; }

std::string recordKey(const std::string& roomId) { return "streamroom:" + roomId; }
std::string indexKey(const std::string& contextId) { return "streamrooms:ctx:" + contextId; }
std::string contextTopic(const std::string& contextId) { return "sc:" + contextId; }

json::array toArray(const std::vector<std::string>& ids) {
  json::array out;
  for (const auto& id : ids) out.emplace_back(id);
  return out;
}

bool contains(const json::value& list, std::string_view userId) {
  const auto* a = list.if_array();
  return a && std::any_of(a->begin(), a->end(), [&](const auto& v) { return v.is_string() && v.as_string() == userId; });
}

bool isMember(const json::object& room, std::string_view userId) {
  return contains(room.at("users"), userId) || contains(room.at("managers"), userId);
}

// The stored record as a room object; nullopt when it is not one (never written by onair).
std::optional<json::object> parseRoom(const std::string& text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  auto& o = v.as_object();
  for (const char* k : {"streamRoomId", "contextId", "users", "managers"}) {
    if (!o.contains(k)) return std::nullopt;
  }
  return std::move(o);
}

// The acting user in a record; null for the server API.
json::value byWhom(const StreamActor& actor) { return actor.isServer() ? json::value() : json::value(actor.userId); }

json::object wireRoom(json::object room, uint64_t version) {
  room["version"] = version;
  return room;
}

}  // namespace

// One joined connection, on the room's owner.
struct StreamService::Member {
  std::string userId;
  size_t shard = 0;
  std::weak_ptr<api::ClientSession> session;
};

struct StreamService::Room {
  std::string contextId;  // empty while only authorities admitted its members
  std::map<std::string, Member> members;  // by sessionId
  // The members an authority admitted, by sessionId. Kept until the member's media is gone, so
  // the authority hears of its last streamUnpublished.
  std::map<std::string, RoomAuthority*> admittedBy;
};

// One connection's joins and context subscriptions, on its shard: what its close undoes.
struct StreamService::SessionState {
  std::string sessionId;
  net::FrameSink* sink = nullptr;
  std::set<std::string> contexts;
  std::map<std::string, size_t> rooms;  // roomId → owner
};

struct StreamService::Shard {
  std::unordered_map<std::string, Room> rooms;  // rooms owned here with joined connections
  std::unordered_map<std::string, std::unique_ptr<MediaRoom>> media;  // rooms owned here with media
  std::unordered_map<api::ClientSession*, SessionState> sessions;
};

StreamService::StreamService(hub::ShardPool& pool, engine::Engine& engine, StreamOptions options, rtc::WebRtcServerPool* media)
    : pool_(pool), engine_(engine), options_(options), media_(media) {
  for (size_t i = 0; i < pool_.size(); ++i) shards_.push_back(std::make_unique<Shard>());
  // Context events travel through the Broker, so subscribers on every node hear them: each node
  // subscribes a context's topic while it has subscribers there, and fans a received event out
  // to them (the embedded broker hands it straight back).
  engine_.broker().setTopicHandler(contextTopic(""), [this](const std::string& topic, const engine::Broker::Payload& frame) {
    pool_.run(pool_.ownerOf(topic), [this, topic, frame] { pool_.publish(topic, frame); });
  });
}

StreamService::~StreamService() = default;

size_t StreamService::ownerOf(const std::string& roomId) const { return pool_.ownerOf("sr:" + roomId); }

// ---- checks and storage ----------------------------------------------------------------------

std::optional<ApiError> StreamService::check(const StreamRoomSpec& spec) const {
  if (spec.users.size() + spec.managers.size() > options_.maxUsers) {
    return ApiError::invalidArgument(fmt::format("a stream room has at most {} users and managers together (streams.max_users)", options_.maxUsers));
  }
  for (const auto& [name, meta] : {std::pair{"publicMeta", &spec.publicMeta}, std::pair{"privateMeta", &spec.privateMeta}}) {
    if (OpaqueMeta::maxDecodedSize(*meta) > options_.maxMetaBytes + 2) {
      return ApiError{ErrorCode::PayloadTooLarge, fmt::format("{} is over {} bytes (streams.max_meta_bytes)", name, options_.maxMetaBytes), std::nullopt};
    }
    auto size = OpaqueMeta::decodedSize(*meta);
    if (!size) return ApiError::invalidArgument(std::string(name) + " must be standard base64 (padded)");
    if (*size > options_.maxMetaBytes) {
      return ApiError{ErrorCode::PayloadTooLarge, fmt::format("{} is over {} bytes (streams.max_meta_bytes)", name, options_.maxMetaBytes), std::nullopt};
    }
  }
  if (json::serialize(spec.policy).size() > options_.maxMetaBytes) {
    return ApiError{ErrorCode::PayloadTooLarge, fmt::format("policy is over {} bytes serialized (streams.max_meta_bytes)", options_.maxMetaBytes), std::nullopt};
  }
  return std::nullopt;
}

void StreamService::load(const std::string& roomId, const StreamActor& actor, Who who,
                         std::function<void(json::object room, uint64_t version)> fn, Reply onError) {
  engine_.registry().get(recordKey(roomId), [roomId, actor, who, fn = std::move(fn), onError](engine::Outcome<std::optional<engine::Record>> r) {
    if (auto* e = std::get_if<engine::EngineError>(&r)) return onError(unavailable(*e));
    const auto& record = std::get<std::optional<engine::Record>>(r);
    auto room = record ? parseRoom(record->value) : std::nullopt;
    if (!room) return onError(notFound(roomId));
    const std::string contextId(room->at("contextId").as_string());
    const bool managing = who == Who::Managers;
    const bool granted = managing ? actor.allows(contextId, "manage") : (actor.allows(contextId, "join") || actor.allows(contextId, "manage"));
    if (!granted) {
      return onError(ApiError{ErrorCode::Permission, fmt::format("your token does not allow {} in context {}", managing ? "manage" : "join", contextId), std::nullopt});
    }
    if (!actor.isServer() && who == Who::Members && !isMember(*room, actor.userId)) {
      return onError(ApiError{ErrorCode::Permission, "you are not a user or manager of stream room " + roomId, std::nullopt});
    }
    if (!actor.isServer() && who == Who::Managers && !contains(room->at("managers"), actor.userId)) {
      return onError(ApiError{ErrorCode::Permission, "only managers of stream room " + roomId + " may change or delete it", std::nullopt});
    }
    fn(std::move(*room), record->version);
  });
}

void StreamService::write(const std::string& roomId, json::object room, std::optional<uint64_t> expected,
                          std::function<void(uint64_t version)> fn, Reply reply) {
  engine_.registry().put(recordKey(roomId), json::serialize(room), expected, [roomId, fn = std::move(fn), reply](engine::Outcome<engine::PutResult> r) {
    if (auto* e = std::get_if<engine::EngineError>(&r)) return reply(unavailable(*e));
    const auto& put = std::get<engine::PutResult>(r);
    if (put.conflict) {
      return reply(ApiError{ErrorCode::Conflict, fmt::format("stream room {} changed meanwhile (now version {})", roomId, put.record.version), std::nullopt});
    }
    fn(put.record.version);
  });
}

// ---- management --------------------------------------------------------------------------

void StreamService::create(StreamRoomSpec spec, StreamActor actor, Reply reply) {
  if (auto e = check(spec)) return reply(*e);
  if (!actor.allows(spec.contextId, "manage")) {
    return reply(ApiError{ErrorCode::Permission, "your token does not allow manage in context " + spec.contextId, std::nullopt});
  }
  std::string roomId = util::randomId("sr_", 12);
  const int64_t now = nowMs();
  json::object room{{"streamRoomId", roomId}, {"contextId", spec.contextId}, {"users", toArray(spec.users)},
                    {"managers", toArray(spec.managers)}, {"publicMeta", spec.publicMeta}, {"privateMeta", spec.privateMeta},
                    {"policy", spec.policy}, {"createdAt", now}, {"updatedAt", now},
                    {"creator", byWhom(actor)}, {"lastModifier", byWhom(actor)}, {"keyGeneration", 1}};
  // The id enters the context's index first: the index never misses a stored room.
  engine_.registry().addMember(indexKey(spec.contextId), roomId, [this, roomId, room = std::move(room), reply](engine::Outcome<bool> r) mutable {
    if (auto* e = std::get_if<engine::EngineError>(&r)) return reply(unavailable(*e));
    std::string contextId(room.at("contextId").as_string());
    json::object stored = room;
    write(roomId, std::move(room), 0, [this, roomId, contextId, stored = std::move(stored), reply](uint64_t version) {
      reply(json::object{{"streamRoomId", roomId}});
      roomEvent("streamRoomCreated", roomId, contextId, wireRoom(stored, version));
    }, reply);
  });
}

void StreamService::get(const std::string& roomId, StreamActor actor, Reply reply) {
  load(roomId, actor, Who::Members, [reply](json::object room, uint64_t version) { reply(wireRoom(std::move(room), version)); }, reply);
}

void StreamService::list(StreamListQuery query, StreamActor actor, Reply reply) {
  if (!actor.allows(query.contextId, "join") && !actor.allows(query.contextId, "manage")) {
    return reply(ApiError{ErrorCode::Permission, "your token does not allow join in context " + query.contextId, std::nullopt});
  }
  engine_.registry().get(indexKey(query.contextId), [this, query, actor, reply](engine::Outcome<std::optional<engine::Record>> r) {
    if (auto* e = std::get_if<engine::EngineError>(&r)) return reply(unavailable(*e));
    std::vector<std::string> ids;
    if (const auto& record = std::get<std::optional<engine::Record>>(r)) {
      boost::system::error_code ec;
      auto v = json::parse(record->value, ec);
      if (!ec && v.is_array()) {
        for (const auto& id : v.as_array()) {
          if (id.is_string()) ids.emplace_back(id.as_string());
        }
      }
    }
    if (!query.ascending) std::reverse(ids.begin(), ids.end());
    // The server sees every room: only the page is read. A client sees its own rooms, so all
    // are read and filtered before paging.
    const bool filter = !actor.isServer();
    size_t total = ids.size();
    if (!filter) {
      const size_t from = std::min<size_t>(query.skip, ids.size());
      const size_t to = std::min<size_t>(from + query.limit, ids.size());
      ids = std::vector<std::string>(ids.begin() + from, ids.begin() + to);
    }
    struct Gather {
      std::vector<std::optional<json::object>> rooms;
      std::atomic<size_t> remaining;
      std::atomic<bool> failed{false};
      explicit Gather(size_t n) : rooms(n), remaining(n) {}
    };
    auto finish = [query, actor, filter, total, reply](Gather& g) {
      if (g.failed) return;
      json::array items;
      size_t available = total, seen = 0;
      if (filter) available = 0;
      for (auto& room : g.rooms) {
        if (!room) {
          if (!filter) --available;  // an id without a record: a create under way or cut short
          continue;
        }
        if (filter && !isMember(*room, actor.userId)) continue;
        ++seen;
        if (filter) ++available;
        if (filter && (seen <= query.skip || items.size() >= query.limit)) continue;
        items.push_back(std::move(*room));
      }
      reply(json::object{{"readItems", std::move(items)}, {"totalAvailable", available}});
    };
    if (ids.empty()) return reply(json::object{{"readItems", json::array()}, {"totalAvailable", filter ? 0 : total}});
    auto gather = std::make_shared<Gather>(ids.size());
    for (size_t i = 0; i < ids.size(); ++i) {
      engine_.registry().get(recordKey(ids[i]), [gather, i, finish, reply](engine::Outcome<std::optional<engine::Record>> r) {
        if (auto* e = std::get_if<engine::EngineError>(&r)) {
          if (!gather->failed.exchange(true)) reply(unavailable(*e));
        } else if (const auto& record = std::get<std::optional<engine::Record>>(r)) {
          if (auto room = parseRoom(record->value)) gather->rooms[i] = wireRoom(std::move(*room), record->version);
        }
        if (gather->remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) finish(*gather);
      });
    }
  });
}

void StreamService::update(const std::string& roomId, StreamRoomUpdate update, StreamActor actor, Reply reply) {
  if (auto e = check(update.spec)) return reply(*e);
  load(roomId, actor, Who::Managers, [this, roomId, update = std::move(update), actor, reply](json::object room, uint64_t version) {
    if (!update.force && update.version != version) {
      return reply(ApiError{ErrorCode::Conflict, fmt::format("stream room {} is at version {}, not {}: read it again, or force", roomId, version, update.version), std::nullopt});
    }
    const auto& spec = update.spec;
    int64_t keyGeneration = room.contains("keyGeneration") && room.at("keyGeneration").is_int64() ? room.at("keyGeneration").as_int64() : 1;
    json::object next{{"streamRoomId", roomId}, {"contextId", room.at("contextId")}, {"users", toArray(spec.users)},
                      {"managers", toArray(spec.managers)}, {"publicMeta", spec.publicMeta}, {"privateMeta", spec.privateMeta},
                      {"policy", spec.policy}, {"createdAt", room.at("createdAt")}, {"updatedAt", nowMs()},
                      {"creator", room.at("creator")}, {"lastModifier", byWhom(actor)},
                      {"keyGeneration", keyGeneration + (update.forceGenerateNewKey ? 1 : 0)}};
    json::object stored = next;
    // Forced or not, the write is compare-and-set on the version just read: a write in between
    // is a conflict rather than lost.
    write(roomId, std::move(next), version, [this, roomId, stored = std::move(stored), reply](uint64_t newVersion) {
      reply(json::object());
      std::string contextId(stored.at("contextId").as_string());
      roomEvent("streamRoomUpdated", roomId, contextId, wireRoom(stored, newVersion));
      pool_.post(ownerOf(roomId), [this, roomId, stored] { dropStrangers(roomId, stored); });
    }, reply);
  }, reply);
}

void StreamService::remove(const std::string& roomId, StreamActor actor, Reply reply) {
  load(roomId, actor, Who::Managers, [this, roomId, reply](json::object room, uint64_t) {
    std::string contextId(room.at("contextId").as_string());
    // The record goes before its id leaves the index: the index never misses a stored room.
    engine_.registry().remove(recordKey(roomId), [this, roomId, contextId, reply](engine::Outcome<engine::Done> r) {
      if (auto* e = std::get_if<engine::EngineError>(&r)) return reply(unavailable(*e));
      engine_.registry().removeMember(indexKey(contextId), roomId, [this, roomId, contextId, reply](engine::Outcome<bool>) {
        // A failure here leaves an id without a record in the index, which lists skip.
        reply(json::object());
        roomEvent("streamRoomDeleted", roomId, contextId, json::object{{"streamRoomId", roomId}, {"contextId", contextId}});
        pool_.post(ownerOf(roomId), [this, roomId] {
          shards_[ownerOf(roomId)]->rooms.erase(roomId);
          shards_[ownerOf(roomId)]->media.erase(roomId);  // its transports close without events
        });
      });
    });
  }, reply);
}

// ---- events --------------------------------------------------------------------------------

void StreamService::roomEvent(const std::string& event, const std::string& roomId, const std::string& contextId, json::value data) {
  std::string text = api::Envelope::event("streams." + event, roomId, data);
  pool_.post(ownerOf(roomId), [this, roomId, contextId, text] { toMembers(roomId, text, contextId); });
  pool_.post(pool_.ownerOf(contextTopic(contextId)), [this, contextId, text] { toContext(contextId, text); });
}

void StreamService::toContext(const std::string& contextId, const std::string& text) {
  engine_.broker().publish(contextTopic(contextId), net::makeSharedFrame(net::WsCodec::encodeFrame(net::WsOpcode::Text, text)));
}

void StreamService::toMembers(const std::string& roomId, const std::string& text, const std::string& skipSubscribersOf) {
  auto& rooms = shards_[ownerOf(roomId)]->rooms;
  auto room = rooms.find(roomId);
  if (room == rooms.end()) return;
  for (const auto& [sessionId, m] : room->second.members) {
    pool_.post(m.shard, [this, shard = m.shard, session = m.session, text, skipSubscribersOf] {
      auto s = session.lock();
      if (!s) return;
      if (!skipSubscribersOf.empty()) {
        auto& sessions = shards_[shard]->sessions;
        auto state = sessions.find(s.get());
        if (state != sessions.end() && state->second.contexts.count(skipSubscribersOf)) return;
      }
      s->sendText(text);
    });
  }
}

void StreamService::dropStrangers(const std::string& roomId, const json::object& room) {
  auto& rooms = shards_[ownerOf(roomId)]->rooms;
  auto it = rooms.find(roomId);
  if (it == rooms.end()) return;
  std::vector<std::string> gone;
  for (const auto& [sessionId, m] : it->second.members) {
    // Those an authority let in (a live slot, a stage) are not the record's to judge.
    if (!isMember(room, m.userId) && !it->second.admittedBy.contains(sessionId)) gone.push_back(sessionId);
  }
  for (const auto& sessionId : gone) removeMember(roomId, sessionId, true);
}

void StreamService::removeMember(const std::string& roomId, const std::string& sessionId, bool announce) {
  auto& rooms = shards_[ownerOf(roomId)]->rooms;
  auto it = rooms.find(roomId);
  if (it == rooms.end()) return;
  auto m = it->second.members.find(sessionId);
  if (m == it->second.members.end()) return;
  std::string userId = m->second.userId;
  it->second.members.erase(m);
  auto& media = shards_[ownerOf(roomId)]->media;
  if (auto room = media.find(roomId); room != media.end()) room->second->removeSession(sessionId);
  it->second.admittedBy.erase(sessionId);
  if (announce) toMembers(roomId, api::Envelope::event("streams.streamMemberLeft", roomId, json::object{{"streamRoomId", roomId}, {"userId", userId}}), "");
  if (it->second.members.empty()) rooms.erase(it);
}

// ---- joining and subscribing -----------------------------------------------------------------

StreamService::SessionState* StreamService::sessionState(const StreamActor& actor) {
  auto session = actor.session.lock();
  auto connection = session ? session->connection().lock() : nullptr;
  if (!connection || !connection->open()) return nullptr;
  auto& sessions = shards_[actor.shard]->sessions;
  auto [it, first] = sessions.try_emplace(session.get());
  if (first) {
    it->second.sessionId = actor.sessionId;
    it->second.sink = connection.get();
    api::ClientSession* key = session.get();
    session->onClosed([this, shard = actor.shard, key] { sessionClosed(shard, key); });
  }
  return &it->second;
}

void StreamService::sessionClosed(size_t shard, api::ClientSession* session) {
  auto& sessions = shards_[shard]->sessions;
  auto it = sessions.find(session);
  if (it == sessions.end()) return;
  for (const auto& contextId : it->second.contexts) {
    pool_.unsubscribe(shard, contextTopic(contextId), it->second.sink);
    engine_.broker().unsubscribe(contextTopic(contextId));
  }
  for (const auto& [roomId, owner] : it->second.rooms) {
    pool_.post(owner, [this, roomId = roomId, sessionId = it->second.sessionId] { removeMember(roomId, sessionId, true); });
  }
  sessions.erase(it);
}

void StreamService::join(const std::string& roomId, StreamActor actor, Reply reply) {
  load(roomId, actor, Who::Members, [this, roomId, actor, reply](json::object record, uint64_t) {
    enter(roomId, std::string(record.at("contextId").as_string()), actor, nullptr, reply);
  }, [this, roomId, actor, reply](api::Result refused) {
    auto* error = std::get_if<ApiError>(&refused);
    // An outage is no refusal: the authorities are not asked to stand in for the store.
    if (!error || error->code == ErrorCode::ServiceUnavailable || authorities_.empty()) return reply(std::move(refused));
    askAuthorities(roomId, actor, 0, std::move(*error), false, reply);
  });
}

void StreamService::askAuthorities(const std::string& roomId, const StreamActor& actor, size_t next, ApiError refusal, bool refusedByAuthority,
                                   Reply reply) {
  if (next >= authorities_.size()) return reply(std::move(refusal));
  pool_.post(ownerOf(roomId), [this, roomId, actor, next, refusal = std::move(refusal), refusedByAuthority, reply]() mutable {
    authorities_[next]->admit(roomId, actor, [this, roomId, actor, next, refusal = std::move(refusal), refusedByAuthority, reply](RoomAuthority::Decision d) mutable {
      if (d.admitted) return enter(roomId, "", actor, authorities_[next], reply, std::move(d.requiredMember));
      // The first authority that claims the room says why, should no later one let it in (a
      // stage's room may also be a live broadcast's webrtc room).
      const bool claims = d.error && !refusedByAuthority;
      askAuthorities(roomId, actor, next + 1, claims ? std::move(*d.error) : std::move(refusal), refusedByAuthority || claims, reply);
    });
  });
}

void StreamService::enter(const std::string& roomId, const std::string& contextId, const StreamActor& actor, RoomAuthority* authority,
                          Reply reply, std::optional<std::string> requiredMember) {
  size_t owner = ownerOf(roomId);
  pool_.post(owner, [this, owner, roomId, contextId, actor, authority, reply, requiredMember] {
    if (requiredMember && !hasOwnMember(roomId, *requiredMember, authority)) {
      return reply(ApiError{ErrorCode::Permission,
                            "the broadcast's producer (" + *requiredMember + ") has not joined stream room " + roomId + ": nothing to watch here yet",
                            std::nullopt});
    }
    auto& room = shards_[owner]->rooms[roomId];
    if (!contextId.empty()) room.contextId = contextId;
    if (authority) room.admittedBy[actor.sessionId] = authority;
    else room.admittedBy.erase(actor.sessionId);
    if (!room.members.count(actor.sessionId)) {
      toMembers(roomId, api::Envelope::event("streams.streamMemberJoined", roomId, json::object{{"streamRoomId", roomId}, {"userId", actor.userId}}), "");
      room.members[actor.sessionId] = Member{actor.userId, actor.shard, actor.session};
    }
    std::set<std::string> users;
    for (const auto& [sessionId, m] : room.members) users.insert(m.userId);
    json::array members;
    for (const auto& u : users) members.emplace_back(u);
    json::object result{{"streamRoomId", roomId}, {"members", std::move(members)}};
    // On the connection's shard: recorded for its close, or undone when it is already gone.
    pool_.post(actor.shard, [this, owner, roomId, actor, result = std::move(result), reply] {
      auto* state = sessionState(actor);
      if (!state) {
        pool_.post(owner, [this, roomId, sessionId = actor.sessionId] { removeMember(roomId, sessionId, true); });
        return reply(ApiError{ErrorCode::NotFound, "the connection closed", std::nullopt});
      }
      state->rooms[roomId] = owner;
      reply(result);
    });
  });
}

bool StreamService::hasOwnMember(const std::string& roomId, const std::string& userId, const RoomAuthority* except) const {
  const auto& rooms = shards_[ownerOf(roomId)]->rooms;
  const auto room = rooms.find(roomId);
  if (room == rooms.end()) return false;
  for (const auto& [sessionId, member] : room->second.members) {
    if (member.userId != userId) continue;
    const auto by = room->second.admittedBy.find(sessionId);
    if (by == room->second.admittedBy.end()) return true;  // the room's own users and managers
    // Let in by another authority (a stage): only as one who publishes there (on stage with
    // PUBLISH), never as a mere participant, who may not even have SUBSCRIBE.
    if (by->second == except) continue;
    const auto& media = shards_[ownerOf(roomId)]->media;
    const auto m = media.find(roomId);
    if (m != media.end() && m->second->publishes(sessionId)) return true;
  }
  return false;
}

void StreamService::leave(const std::string& roomId, StreamActor actor, Reply reply) {
  size_t owner = ownerOf(roomId);
  pool_.post(owner, [this, roomId, actor, reply] {
    removeMember(roomId, actor.sessionId, true);
    pool_.post(actor.shard, [this, roomId, actor, reply] {
      auto session = actor.session.lock();
      auto& sessions = shards_[actor.shard]->sessions;
      if (auto it = session ? sessions.find(session.get()) : sessions.end(); it != sessions.end()) it->second.rooms.erase(roomId);
      reply(json::object());
    });
  });
}

void StreamService::subscribeContext(const std::string& contextId, StreamActor actor, Reply reply) {
  if (!actor.allows(contextId, "join") && !actor.allows(contextId, "manage")) {
    return reply(ApiError{ErrorCode::Permission, "your token does not allow join in context " + contextId, std::nullopt});
  }
  std::string topic = contextTopic(contextId);
  size_t owner = pool_.ownerOf(topic);
  // Interest is counted at the owner before the hub subscription, as ShardPool's contract asks.
  pool_.post(owner, [this, owner, topic, contextId, actor, reply] {
    pool_.addInterest(topic, actor.shard);
    pool_.post(actor.shard, [this, owner, topic, contextId, actor, reply] {
      auto* state = sessionState(actor);
      const bool fresh = state && state->contexts.insert(contextId).second;
      if (!fresh) pool_.post(owner, [this, topic, shard = actor.shard] { pool_.removeInterest(topic, shard); });
      if (!state) return reply(ApiError{ErrorCode::NotFound, "the connection closed", std::nullopt});
      if (!fresh) return reply(json::object{{"contextId", contextId}});
      pool_.hub(actor.shard).subscribe(topic, state->sink);
      // Answered once this node hears the context's events from every node.
      engine_.broker().subscribe(topic, [this, topic, contextId, actor, reply](engine::Outcome<engine::Done> subscribed) {
        if (!std::holds_alternative<engine::EngineError>(subscribed)) return reply(json::object{{"contextId", contextId}});
        auto error = unavailable(std::get<engine::EngineError>(subscribed));
        pool_.post(actor.shard, [this, topic, contextId, actor, reply, error] {
          auto session = actor.session.lock();
          auto& sessions = shards_[actor.shard]->sessions;
          auto it = session ? sessions.find(session.get()) : sessions.end();
          if (it != sessions.end() && it->second.contexts.erase(contextId)) pool_.unsubscribe(actor.shard, topic, it->second.sink);
          reply(error);
        });
      });
    });
  });
}

void StreamService::unsubscribeContext(const std::string& contextId, StreamActor actor, Reply reply) {
  auto session = actor.session.lock();
  auto& sessions = shards_[actor.shard]->sessions;
  auto it = session ? sessions.find(session.get()) : sessions.end();
  if (it != sessions.end() && it->second.contexts.erase(contextId)) {
    pool_.unsubscribe(actor.shard, contextTopic(contextId), it->second.sink);
    engine_.broker().unsubscribe(contextTopic(contextId));
  }
  reply(json::object());
}

// ---- media ------------------------------------------------------------------------------------

namespace {

ApiError joinFirst(const std::string& roomId) {
  return {ErrorCode::Permission, "join stream room " + roomId + " first (streams.joinStreamRoom)", std::nullopt};
}

}  // namespace

bool StreamService::joined(size_t owner, const std::string& roomId, const std::string& sessionId) const {
  const auto& rooms = shards_[owner]->rooms;
  auto room = rooms.find(roomId);
  return room != rooms.end() && room->second.members.count(sessionId);
}

void StreamService::withMedia(const std::string& roomId, const StreamActor& actor, Need need, MediaFn fn, Reply reply,
                              std::vector<TrackSubscription> asked) {
  if (!media_) return reply(ApiError{ErrorCode::UnsupportedTransport, "this server has no media plane", std::nullopt});
  size_t owner = ownerOf(roomId);
  pool_.post(owner, [this, owner, roomId, actor, need, fn = std::move(fn), reply, asked = std::move(asked)] {
    auto& shard = *shards_[owner];
    auto room = shard.rooms.find(roomId);
    if (room == shard.rooms.end() || !room->second.members.count(actor.sessionId)) return reply(joinFirst(roomId));
    auto by = room->second.admittedBy.find(actor.sessionId);
    RoomAuthority* authority = by == room->second.admittedBy.end() ? nullptr : by->second;
    if (!authority) {
      const char* action = need == Need::Subscribe ? "subscribe" : need == Need::Nothing ? "" : "publish";
      if (*action && !actor.allows(room->second.contextId, action)) {
        return reply(ApiError{ErrorCode::Permission, fmt::format("your token does not allow {} in context {}", action, room->second.contextId), std::nullopt});
      }
      return runMedia(owner, roomId, fn, {}, reply);
    }
    askAuthority(owner, roomId, actor, *authority, need, fn, reply, asked);
  });
}

void StreamService::askAuthority(size_t owner, const std::string& roomId, const StreamActor& actor, RoomAuthority& authority, Need need,
                                 const MediaFn& fn, const Reply& reply, const std::vector<TrackSubscription>& asked) {
  if (need == Need::Nothing || need == Need::Unpublish) return runMedia(owner, roomId, fn, {}, reply);
  // Back on the owner with the authority's word: the connection may have left meanwhile.
  auto resume = [this, owner, roomId, sessionId = actor.sessionId, fn, reply](RefusedSections refused) {
    pool_.post(owner, [this, owner, roomId, sessionId, fn, reply, refused = std::move(refused)] {
      if (!joined(owner, roomId, sessionId)) return reply(joinFirst(roomId));
      runMedia(owner, roomId, fn, refused, reply);
    });
  };
  if (need == Need::Publish) {
    return authority.mayPublish(roomId, actor, [resume, reply](std::optional<ApiError> refusal) {
      if (refusal) return reply(std::move(*refusal));
      resume({});
    });
  }
  // A subscribe: the authority judges each asked track it can be told about. One not published
  // here now is answered not_found by the media room if it still is not when the answer comes
  // back; should it have been published meanwhile, nobody judged it: refused, to be asked again.
  std::vector<RoomAuthority::Track> tracks;
  std::vector<std::string> mids;
  RefusedSections unjudged;
  auto& medias = shards_[owner]->media;
  auto media = medias.find(roomId);
  for (const TrackSubscription& s : asked) {
    auto source = media == medias.end() ? std::nullopt : media->second->trackSource(s.streamId, s.trackId);
    if (!source) {
      unjudged[s.mid.empty() ? dataRefusalKey(s.streamId, s.trackId) : s.mid] = "published_while_subscribing";
      continue;
    }
    tracks.push_back({source->userId, source->kind});
    mids.push_back(s.mid.empty() ? dataRefusalKey(s.streamId, s.trackId) : s.mid);
  }
  authority.maySubscribe(roomId, actor, std::move(tracks), [resume, reply, mids, unjudged](RoomAuthority::TrackVerdicts verdicts) {
    if (auto* refusal = std::get_if<ApiError>(&verdicts)) return reply(std::move(*refusal));
    const auto& reasons = std::get<std::vector<std::string>>(verdicts);
    RefusedSections refused = unjudged;
    for (size_t i = 0; i < mids.size() && i < reasons.size(); ++i) {
      if (!reasons[i].empty()) refused[mids[i]] = reasons[i];
    }
    resume(std::move(refused));
  });
}

void StreamService::runMedia(size_t owner, const std::string& roomId, const MediaFn& fn, const RefusedSections& refused, const Reply& reply) {
  auto& shard = *shards_[owner];
  auto& media = shard.media[roomId];
  if (!media) {
    auto emit = [this, owner, roomId](std::string_view event, const std::string& sessionId, json::object data) {
      toMembers(roomId, api::Envelope::event("streams." + std::string(event), roomId, data), "");
      tellAuthority(owner, roomId, event, sessionId, data);
    };
    auto empty = [this, owner, roomId] { shards_[owner]->media.erase(roomId); };
    media = std::make_unique<MediaRoom>(pool_.loop(owner).io(), media_->server(owner), roomId, emit, empty);
  }
  api::Result result = fn(*media, refused);
  // A room with no media keeps no Router (a failed first offer, a listing, the last unpublish).
  if (media->empty()) shard.media.erase(roomId);
  reply(std::move(result));
}

void StreamService::tellAuthority(size_t owner, const std::string& roomId, std::string_view event, const std::string& sessionId,
                                  const json::object& data) {
  auto& rooms = shards_[owner]->rooms;
  auto room = rooms.find(roomId);
  if (room == rooms.end()) return;
  auto by = room->second.admittedBy.find(sessionId);
  if (by == room->second.admittedBy.end()) return;
  const std::string userId(data.at("userId").as_string());
  const std::string streamId(data.at("streamId").as_string());
  if (event == "streamUnpublished") return by->second->unpublished(roomId, userId, streamId);
  json::object stream{{"streamId", streamId}, {"tracks", data.at("tracks")}};
  by->second->published(roomId, userId, stream, event == "streamPublished");
}

void StreamService::publish(const std::string& roomId, Offer offer, std::vector<TrackOffer> tracks, StreamActor actor, Reply reply) {
  withMedia(roomId, actor, Need::Publish, [offer, tracks = std::move(tracks), actor](MediaRoom& media, const RefusedSections&) {
    return media.publish(actor.sessionId, actor.userId, *offer, tracks);
  }, reply);
}

void StreamService::unpublish(const std::string& roomId, const std::string& streamId, StreamActor actor, Reply reply) {
  withMedia(roomId, actor, Need::Unpublish, [streamId, actor](MediaRoom& media, const RefusedSections&) {
    return media.unpublish(actor.sessionId, streamId);
  }, reply);
}

void StreamService::listStreams(const std::string& roomId, StreamActor actor, Reply reply) {
  withMedia(roomId, actor, Need::Nothing, [](MediaRoom& media, const RefusedSections&) { return api::Result(json::value(media.listStreams())); }, reply);
}

void StreamService::setQuality(const std::string& roomId, std::string streamId, std::string trackId, std::string quality, StreamActor actor,
                               Reply reply) {
  withMedia(roomId, actor, Need::Nothing, [streamId, trackId, quality, actor](MediaRoom& media, const RefusedSections&) {
    return media.setQuality(actor.sessionId, streamId, trackId, quality);
  }, reply);
}

void StreamService::subscribe(const std::string& roomId, Offer offer, std::vector<TrackSubscription> subscriptions, StreamActor actor,
                              Reply reply) {
  auto asked = subscriptions;
  withMedia(roomId, actor, Need::Subscribe, [offer, subscriptions = std::move(subscriptions), actor](MediaRoom& media, const RefusedSections& refused) {
    return media.subscribe(actor.sessionId, *offer, subscriptions, refused);
  }, reply, std::move(asked));
}

// ---- authorities -------------------------------------------------------------------------------

void StreamService::addAuthority(RoomAuthority& authority) { authorities_.push_back(&authority); }

void StreamService::letGo(const std::string& roomId, StreamActor actor) { leave(roomId, std::move(actor), [](api::Result) {}); }

void StreamService::stopPublishing(const std::string& roomId, const std::string& userId) {
  size_t owner = ownerOf(roomId);
  pool_.post(owner, [this, owner, roomId, userId] {
    auto& shard = *shards_[owner];
    auto room = shard.rooms.find(roomId);
    auto media = shard.media.find(roomId);
    if (room == shard.rooms.end() || media == shard.media.end()) return;
    std::vector<std::string> sessions;
    for (const auto& [sessionId, m] : room->second.members) {
      if (m.userId == userId) sessions.push_back(sessionId);
    }
    for (const auto& sessionId : sessions) media->second->stopPublishing(sessionId);
  });
}

void StreamService::dropConsumers(const std::string& roomId, const std::string& viewerUserId, const std::string& publisherUserId, bool audio,
                                  bool video) {
  size_t owner = ownerOf(roomId);
  pool_.post(owner, [this, owner, roomId, viewerUserId, publisherUserId, audio, video] {
    auto& shard = *shards_[owner];
    auto room = shard.rooms.find(roomId);
    auto media = shard.media.find(roomId);
    if (room == shard.rooms.end() || media == shard.media.end()) return;
    for (const auto& [sessionId, m] : room->second.members) {
      if (m.userId == viewerUserId) media->second->dropConsumers(sessionId, publisherUserId, audio, video);
    }
  });
}

}  // namespace onair::streams
