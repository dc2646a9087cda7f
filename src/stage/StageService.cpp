#include "stage/StageService.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "api/ClientSession.hpp"
#include "api/Envelope.hpp"
#include "net/WsCodec.hpp"
#include "net/WsConnection.hpp"
#include "stage/StageRoomId.hpp"
#include "stage/SubscribeType.hpp"
#include "util/Random.hpp"
#include "util/Time.hpp"

namespace onair::stage {

using api::ApiError;
using api::ErrorCode;
namespace json = boost::json;

namespace {

enum Status { OffStage = 0, Requested = 1, Accepted = 2, OnStage = 3 };
constexpr const char* kStatusNames[] = {"OFF_STAGE", "REQUESTED_TO_JOIN_STAGE", "ACCEPTED_TO_JOIN_STAGE", "ON_STAGE"};

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
std::string iso(int64_t ms) { return util::isoTime(util::SystemTime(std::chrono::milliseconds(ms))); }

ApiError unavailable(const engine::EngineError& e) { return {ErrorCode::ServiceUnavailable, "storage is unavailable: " + e.message, e.retryAfterMs}; }

json::value parse(const std::string& text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  return ec ? json::value() : v;
}

}  // namespace

struct StageService::Participant {
  std::string userId;
  std::string participantId;
  std::string name;
  bool host = false;
  bool canPublish = false;
  bool canSubscribe = false;
  json::value attributes = json::object();
  int status = OffStage;
  int64_t requestedAtMs = 0;
  json::array streams;
  std::map<std::string, std::string> subscribeTypes;  // participantId → NONE / AUDIO_ONLY / AUDIO_VIDEO
  int64_t departedAtMs = 0;  // when queued to be forgotten (0: not queued since it last connected)
  struct Connection {
    size_t shard;
    std::weak_ptr<api::ClientSession> session;
    std::string sessionId;
    int64_t tokenExpiresAtMs;
  };
  std::vector<Connection> connections;
};

struct StageService::Stage {
  std::string id;
  json::object record;
  bool loaded = false;
  bool exists = false;
  std::vector<std::function<void(Stage&)>> waiting;
  std::vector<Reply> waitingErrors;
  std::map<std::string, Participant> participants;  // by userId
  size_t connected = 0;  // participants with at least one connection: what maxParticipants caps
  // Viewers gone with nothing durable, oldest first: (departedAtMs, userId), forgotten after the
  // TTL. An entry is stale when the participant came back (its departedAtMs no longer matches).
  std::deque<std::pair<int64_t, std::string>> departed;
  // Open connections by token expiry (expiresAtMs, userId, sessionId): the tick reads only those due.
  std::set<std::tuple<int64_t, std::string, std::string>> expiries;
  bool requestsDirty = false;
  bool stateDirty = false;  // statuses changed since the last save (saved once per tick)
};

struct StageService::Shard {
  std::unordered_map<std::string, Stage> stages;
  std::unique_ptr<boost::asio::steady_timer> timer;
  // Subscriber side: this shard's sessions' stage subscriptions (topic → sink) for cleanup.
  std::unordered_map<api::ClientSession*, std::vector<std::pair<std::string, net::FrameSink*>>> subscriptions;
};

StageService::StageService(hub::ShardPool& pool, engine::Engine& engine, StageOptions options)
    : pool_(pool), engine_(engine), options_(options) {
  for (size_t i = 0; i < pool_.size(); ++i) {
    shards_.push_back(std::make_unique<Shard>());
    shards_.back()->timer = std::make_unique<boost::asio::steady_timer>(pool_.loop(i).io());
    arm(i);
  }
}

StageService::~StageService() {
  for (auto& s : shards_) s->timer->cancel();
}

size_t StageService::ownerOf(const std::string& stageId) const { return pool_.ownerOf("st:" + stageId); }

size_t StageService::residentStages(size_t shard) const { return shards_[shard]->stages.size(); }

// ---- loading and persistence ---------------------------------------------------------------

void StageService::withStage(const std::string& stageId, std::function<void(Stage&)> fn, Reply onError) {
  size_t owner = ownerOf(stageId);
  pool_.post(owner, [this, owner, stageId, fn = std::move(fn), onError = std::move(onError)]() mutable {
    auto& s = shards_[owner]->stages[stageId];
    s.id = stageId;
    if (s.loaded) {
      if (!s.exists) return onError(ApiError{ErrorCode::NotFound, "no stage " + stageId, std::nullopt});
      return fn(s);
    }
    s.waiting.push_back(std::move(fn));
    s.waitingErrors.push_back(std::move(onError));
    if (s.waiting.size() > 1) return;  // a load is already under way
    auto fail = [this, owner, stageId](const engine::EngineError& e) {
      pool_.post(owner, [this, owner, stageId, e] {
        auto it = shards_[owner]->stages.find(stageId);
        if (it == shards_[owner]->stages.end()) return;
        auto errors = std::move(it->second.waitingErrors);
        shards_[owner]->stages.erase(it);
        for (auto& reply : errors) reply(unavailable(e));
      });
    };
    engine_.registry().get("stage:" + stageId, [this, owner, stageId, fail](engine::Outcome<std::optional<engine::Record>> r) {
      if (auto* e = std::get_if<engine::EngineError>(&r)) return fail(*e);
      auto record = std::get<std::optional<engine::Record>>(r);
      engine_.registry().get("stage:" + stageId + ":state", [this, owner, stageId, record, fail](engine::Outcome<std::optional<engine::Record>> r2) {
        if (auto* e = std::get_if<engine::EngineError>(&r2)) return fail(*e);
        auto state = std::get<std::optional<engine::Record>>(r2);
        pool_.post(owner, [this, owner, stageId, record, state] { finishLoad(owner, stageId, record, state); });
      });
    });
  });
}

void StageService::finishLoad(size_t owner, const std::string& stageId, const std::optional<engine::Record>& record,
                              const std::optional<engine::Record>& state) {
  auto it = shards_[owner]->stages.find(stageId);
  if (it == shards_[owner]->stages.end()) return;
  Stage& s = it->second;
  s.loaded = true;
  s.exists = record.has_value();
  if (record) {
    auto v = parse(record->value);
    if (v.is_object()) s.record = v.as_object();
  }
  json::value saved = state ? parse(state->value) : json::value();
  const auto* ps = saved.is_object() ? saved.as_object().if_contains("participants") : nullptr;
  if (ps && ps->is_object()) {
    for (const auto& [userId, pj] : ps->as_object()) {
      const auto& o = pj.as_object();
      Participant p;
      p.userId = userId;
      p.participantId = o.at("participantId").as_string();
      p.name = o.at("name").as_string();
      p.host = o.at("host").as_bool();
      p.canPublish = o.at("canPublish").as_bool();
      p.canSubscribe = o.at("canSubscribe").as_bool();
      p.attributes = o.at("attributes");
      p.status = static_cast<int>(o.at("status").as_int64());
      p.requestedAtMs = o.at("requestedAt").as_int64();
      s.participants.emplace(std::string(userId), std::move(p));
    }
  }
  // The waiters leave the stage first and each looks it up again: one of them may remove it
  // (DELETE), and the ones after it must then find no stage rather than freed memory.
  auto waiting = std::move(s.waiting);
  auto errors = std::move(s.waitingErrors);
  auto& stages = shards_[owner]->stages;
  if (!s.exists) stages.erase(it);
  for (size_t i = 0; i < waiting.size(); ++i) {
    auto found = stages.find(stageId);
    if (found == stages.end() || !found->second.exists) errors[i](ApiError{ErrorCode::NotFound, "no stage " + stageId, std::nullopt});
    else waiting[i](found->second);
  }
}

// Statuses and requests go to the Registry once per tick when they changed (the store keeps the
// order of saves, so a stage unloaded after its save and loaded again reads what was saved). Only
// hosts and participants with a status other than OFF_STAGE are saved: a viewer who merely
// watches is re-established by its next stage.open, so a save is O(hosts + requests), not
// O(audience).
void StageService::persist(Stage& s) { s.stateDirty = true; }

void StageService::save(Stage& s) {
  s.stateDirty = false;
  json::object participants;
  for (const auto& [userId, p] : s.participants) {
    if (p.status == OffStage && !p.host) continue;
    participants[userId] = json::object{{"participantId", p.participantId}, {"name", p.name}, {"host", p.host},
                                        {"canPublish", p.canPublish}, {"canSubscribe", p.canSubscribe},
                                        {"attributes", p.attributes}, {"status", p.status}, {"requestedAt", p.requestedAtMs}};
  }
  engine_.registry().put("stage:" + s.id + ":state", json::serialize(json::object{{"participants", participants}}), std::nullopt, [](auto) {});
}

void StageService::saveChanged(size_t shard) {
  for (auto& [id, s] : shards_[shard]->stages) {
    if (s.stateDirty) save(s);
  }
}

// ---- events ----------------------------------------------------------------------------------

void StageService::toUser(const Stage& s, const Participant& p, const std::string& event, json::value data) {
  std::string text = api::Envelope::event(event, s.id, data);
  for (const auto& c : p.connections) {
    pool_.post(c.shard, [session = c.session, text] {
      if (auto s = session.lock()) s->sendText(text);
    });
  }
}

void StageService::toAll(const Stage& s, const std::string& event, json::value data) {
  pool_.publish("st:" + s.id, net::makeSharedFrame(net::WsCodec::encodeFrame(net::WsOpcode::Text, api::Envelope::event(event, s.id, data))));
}

void StageService::toHosts(const Stage& s, const std::string& event, json::value data) {
  pool_.publish("sh:" + s.id, net::makeSharedFrame(net::WsCodec::encodeFrame(net::WsOpcode::Text, api::Envelope::event(event, s.id, data))));
}

void StageService::setStatus(Stage& s, Participant& p, int status) {
  if (p.status == status) return;
  const bool wasRequest = p.status == Requested;
  const bool wasOnStage = p.status == OnStage;
  p.status = status;
  if (status == Requested) p.requestedAtMs = nowMs();
  if (wasRequest || status == Requested) s.requestsDirty = true;
  // Off stage, nothing is published: the media room ends the streams, and reports each back
  // (mediaUnpublished → participantStreamsRemoved).
  if (wasOnStage && media_.stopPublishing) media_.stopPublishing(roomOf(s), p.userId);
  // Who is on stage concerns everyone; request traffic reaches hosts only through the coalesced
  // request list, so fan-out stays linear in the number of requests.
  if (status == OnStage || wasOnStage) {
    toAll(s, "stage.participantStatusUpdate", json::object{{"participantId", p.participantId}, {"userId", p.userId}, {"status", kStatusNames[status]}});
  }
  std::string text = api::Envelope::event("stage.stageStatusUpdate", s.id, json::object{{"status", kStatusNames[status]}});
  for (const auto& c : p.connections) {
    pool_.post(c.shard, [session = c.session, text] {
      if (auto sess = session.lock()) sess->sendText(text);
    });
  }
  if (status == OffStage) noteDeparture(s, p);
  persist(s);
}

void StageService::noteDeparture(Stage& s, Participant& p) {
  if (p.host || p.status != OffStage || !p.connections.empty() || p.departedAtMs != 0) return;
  p.departedAtMs = nowMs();
  s.departed.emplace_back(p.departedAtMs, p.userId);
}

json::value StageService::participantJson(const Participant& p) const {
  json::array caps;
  if (p.canPublish) caps.emplace_back("PUBLISH");
  if (p.canSubscribe) caps.emplace_back("SUBSCRIBE");
  return json::object{{"participantId", p.participantId}, {"userId", p.userId}, {"name", p.name},
                      {"role", p.host ? "host" : "viewer"}, {"status", kStatusNames[p.status]},
                      {"capabilities", caps}, {"attributes", p.attributes}, {"streams", p.streams},
                      {"connected", !p.connections.empty()}};
}

json::value StageService::participantsJson(const Stage& s) const {
  json::array out;
  for (const auto& [userId, p] : s.participants) out.push_back(participantJson(p));
  return out;
}

json::value StageService::requestsJson(const Stage& s) const {
  std::vector<const Participant*> pending;
  for (const auto& [userId, p] : s.participants) {
    if (p.status == Requested) pending.push_back(&p);
  }
  std::sort(pending.begin(), pending.end(), [](auto* a, auto* b) { return a->requestedAtMs < b->requestedAtMs; });
  json::array out;
  for (const auto* p : pending) out.push_back(json::object{{"userId", p->userId}, {"participantId", p->participantId}, {"requestedAt", iso(p->requestedAtMs)}});
  return out;
}

// ---- client ops ------------------------------------------------------------------------------

void StageService::open(const std::string& stageId, Actor actor, Reply reply) {
  size_t owner = ownerOf(stageId);
  withStage(
      stageId,
      [this, owner, actor, reply](Stage& s) {
        // The cap counts people connected now: those who left make room for newcomers.
        int64_t maxParticipants = s.record.contains("maxParticipants") ? s.record.at("maxParticipants").as_int64() : 0;
        auto known = s.participants.find(actor.userId);
        const bool connectedNow = known != s.participants.end() && !known->second.connections.empty();
        if (maxParticipants > 0 && !connectedNow && static_cast<int64_t>(s.connected) >= maxParticipants) {
          return reply(ApiError{ErrorCode::CapExceeded, fmt::format("stage {} has its {} participants connected", s.id, maxParticipants), std::nullopt});
        }
        auto [it, isNew] = s.participants.try_emplace(actor.userId);
        Participant& p = it->second;
        const bool wasConnected = !p.connections.empty();
        // A repeated stage.open on one connection refreshes the reply only: the connection is
        // counted and subscribed once, so it gets each event once and its close undoes it all.
        const bool sameConnection = std::any_of(p.connections.begin(), p.connections.end(),
                                                [&](const auto& c) { return c.sessionId == actor.sessionId; });
        p.userId = actor.userId;
        p.participantId = actor.participantId.empty() ? (p.participantId.empty() ? util::randomId("p_", 9) : p.participantId) : actor.participantId;
        p.name = actor.name;
        p.host = actor.host;
        p.canPublish = actor.canPublish;
        p.canSubscribe = actor.canSubscribe;
        p.attributes = actor.attributes.is_null() ? json::value(json::object()) : actor.attributes;
        if (!sameConnection) {
          p.connections.push_back({actor.shard, actor.session, actor.sessionId, actor.tokenExpiresAtMs});
          s.expiries.emplace(actor.tokenExpiresAtMs, actor.userId, actor.sessionId);
          if (!wasConnected) ++s.connected;
          p.departedAtMs = 0;
        }
        // Hosts hear of every participant; everyone hears of hosts (linear in the stage, not the audience).
        if (!wasConnected) {
          json::object joined{{"participantId", p.participantId}, {"userId", p.userId}};
          if (p.host) toAll(s, "stage.participantJoined", joined);
          else toHosts(s, "stage.participantJoined", joined);
        }
        if (isNew) persist(s);
        // Everyone who is not merely watching, and this participant: O(stage), not O(audience).
        json::array active;
        for (const auto& [userId, q] : s.participants) {
          if (q.status != OffStage || &q == &p) active.push_back(participantJson(q));
        }
        json::object result{{"stage", s.record}, {"status", kStatusNames[p.status]}, {"participants", std::move(active)},
                            {"participantId", p.participantId}};
        if (p.host) result["requests"] = requestsJson(s);
        if (!sameConnection) subscribeConnection(owner, s.id, actor);
        reply(std::move(result));
      },
      reply);
}

// Subscribes the connection to the stage's events (and hosts to the host events), counting the
// interest here at the owner; the hub subscription happens on the connection's shard only if it
// is still open, and the session's close hook undoes both and leaves the stage.
void StageService::subscribeConnection(size_t owner, const std::string& stageId, const Actor& actor) {
  std::vector<std::string> topics{"st:" + stageId};
  if (actor.host) topics.push_back("sh:" + stageId);
  for (const auto& t : topics) pool_.addInterest(t, actor.shard);
  auto task = [this, owner, stageId, actor, topics] {
    auto session = actor.session.lock();
    auto connection = session ? session->connection().lock() : nullptr;
    if (!connection || !connection->open()) {
      return pool_.post(owner, [this, stageId, topics, actor] {
        for (const auto& t : topics) pool_.removeInterest(t, actor.shard);
        connectionClosed(stageId, actor.userId, actor.sessionId);
      });
    }
    auto& subs = shards_[actor.shard]->subscriptions;
    auto [it, first] = subs.try_emplace(session.get());
    for (const auto& t : topics) {
      // Already subscribed (the owner counts a connection once, so this is a safety net): give
      // back the interest counted for this call, and keep one (topic, sink) pair per topic.
      if (!pool_.hub(actor.shard).subscribe(t, connection.get())) {
        pool_.post(owner, [this, t, shard = actor.shard] { pool_.removeInterest(t, shard); });
        continue;
      }
      it->second.emplace_back(t, connection.get());
    }
    if (!first) return;
    api::ClientSession* key = session.get();
    std::string userId = actor.userId, sessionId = actor.sessionId;
    size_t shard = actor.shard;
    session->onClosed([this, key, shard, userId, sessionId] {
      auto& subs = shards_[shard]->subscriptions;
      auto found = subs.find(key);
      if (found == subs.end()) return;
      std::vector<std::string> stages;
      for (const auto& [topic, sink] : found->second) {
        pool_.unsubscribe(shard, topic, sink);
        if (topic.rfind("st:", 0) == 0) stages.push_back(topic.substr(3));
      }
      subs.erase(found);
      for (const auto& id : stages) {
        pool_.post(ownerOf(id), [this, id, userId, sessionId] { connectionClosed(id, userId, sessionId); });
      }
    });
  };
  if (actor.shard == owner) return task();
  pool_.post(actor.shard, std::move(task));
}

// On the owner: a participant's connection went away; the last one leaves the stage.
void StageService::connectionClosed(const std::string& stageId, const std::string& userId, const std::string& sessionId) {
  auto& stages = shards_[ownerOf(stageId)]->stages;
  auto s = stages.find(stageId);
  if (s == stages.end()) return;
  auto p = s->second.participants.find(userId);
  if (p == s->second.participants.end()) return;
  auto& connections = p->second.connections;
  const size_t before = connections.size();
  for (const auto& c : connections) {
    if (c.sessionId == sessionId) s->second.expiries.erase({c.tokenExpiresAtMs, userId, sessionId});
  }
  std::erase_if(connections, [&](const auto& c) { return c.sessionId == sessionId; });
  // Nothing to do when this connection was not counted, or others remain.
  if (connections.size() == before || !connections.empty()) return;
  --s->second.connected;
  const bool visible = p->second.host || p->second.status == OnStage;
  if (p->second.status == OnStage) setStatus(s->second, p->second, OffStage);
  // Everyone hears when a host or someone on stage leaves; hosts hear of every viewer.
  json::object left{{"participantId", p->second.participantId}, {"userId", userId}};
  if (visible) toAll(s->second, "stage.participantLeft", left);
  else toHosts(s->second, "stage.participantLeft", left);
  noteDeparture(s->second, p->second);
}

void StageService::transition(const std::string& stageId, Actor actor, Transition what, Reply reply) {
  withStage(
      stageId,
      [this, actor, what, reply](Stage& s) {
        auto it = s.participants.find(actor.userId);
        if (it == s.participants.end()) return reply(ApiError{ErrorCode::Conflict, "open the stage first (stage.open)", std::nullopt});
        Participant& p = it->second;
        auto conflict = [&](const char* action) {
          reply(ApiError{ErrorCode::Conflict, fmt::format("cannot {} from {}", action, kStatusNames[p.status]), std::nullopt});
        };
        switch (what) {
          case Transition::RequestAccess:
            if (p.status != OffStage) return conflict("request access");
            setStatus(s, p, p.host ? Accepted : Requested);
            break;
          case Transition::CancelRequest:
            if (p.status != Requested && p.status != Accepted) return conflict("cancel a request");
            setStatus(s, p, OffStage);
            break;
          case Transition::Join: {
            if (p.status != Accepted) return conflict("join the stage");
            if (!p.canPublish) return reply(ApiError{ErrorCode::Permission, "your token lacks the PUBLISH capability", std::nullopt});
            int64_t onStage = 0;
            for (const auto& [id, q] : s.participants) onStage += q.status == OnStage;
            int64_t max = s.record.contains("maxPublishers") ? s.record.at("maxPublishers").as_int64() : 12;
            if (onStage >= max) return reply(ApiError{ErrorCode::CapExceeded, fmt::format("{} of {} publishers are on stage", onStage, max), std::nullopt});
            setStatus(s, p, OnStage);
            break;
          }
          case Transition::Leave:
            if (p.status != OnStage && p.status != Accepted) return conflict("leave the stage");
            setStatus(s, p, OffStage);
            break;
        }
        reply(json::object{{"status", kStatusNames[p.status]}});
      },
      reply);
}

void StageService::hostAction(const std::string& stageId, Actor actor, HostAction what, std::vector<std::string> userIds, Reply reply) {
  withStage(
      stageId,
      [this, actor, what, userIds, reply](Stage& s) {
        if (!actor.host) return reply(ApiError{ErrorCode::Permission, "only hosts may grant, deny or kick", std::nullopt});
        // Check every user first: change nothing unless all are in a fitting status.
        std::vector<Participant*> targets;
        for (const auto& userId : userIds) {
          auto it = s.participants.find(userId);
          if (it == s.participants.end()) return reply(ApiError{ErrorCode::NotFound, userId + " is not a participant of this stage", std::nullopt});
          int st = it->second.status;
          bool fits = what == HostAction::Kick ? st != OffStage : st == Requested;
          if (!fits) return reply(ApiError{ErrorCode::Conflict, fmt::format("{} is {}", userId, kStatusNames[st]), std::nullopt});
          targets.push_back(&it->second);
        }
        for (auto* p : targets) {
          if (what == HostAction::Grant) {
            setStatus(s, *p, Accepted);
            toUser(s, *p, "stage.stageRequestApproved", json::object());
          } else if (what == HostAction::Deny) {
            setStatus(s, *p, OffStage);
            toUser(s, *p, "stage.stageRequestRejected", json::object());
          } else {
            setStatus(s, *p, OffStage);
          }
        }
        reply(json::object{{"ok", true}});
      },
      reply);
}

void StageService::setSubscribeType(const std::string& stageId, Actor actor, std::string participantId, std::string type, Reply reply) {
  withStage(
      stageId,
      [this, actor, participantId, type, reply](Stage& s) {
        auto me = s.participants.find(actor.userId);
        if (me == s.participants.end()) return reply(ApiError{ErrorCode::Conflict, "open the stage first (stage.open)", std::nullopt});
        if (!me->second.canSubscribe) return reply(ApiError{ErrorCode::Permission, "your token lacks the SUBSCRIBE capability", std::nullopt});
        const Participant* publisher = nullptr;
        for (const auto& [id, p] : s.participants) {
          if (p.participantId == participantId) publisher = &p;
        }
        if (!publisher) return reply(ApiError{ErrorCode::NotFound, "no participant " + participantId, std::nullopt});
        me->second.subscribeTypes[participantId] = type;
        // A stricter type takes effect at once: what it now forbids stops flowing.
        if (media_.dropConsumers && type != SubscribeType::kAudioVideo) {
          media_.dropConsumers(roomOf(s), actor.userId, publisher->userId, SubscribeType::allows(type, "audio"), SubscribeType::allows(type, "video"));
        }
        reply(json::object{{"ok", true}});
      },
      reply);
}

// ---- media -----------------------------------------------------------------------------------

void StageService::setMediaHooks(StageMediaHooks hooks) { media_ = std::move(hooks); }

std::string StageService::roomOf(const Stage& s) {
  const auto* room = s.record.if_contains("streamRoomId");
  return room && room->is_string() ? std::string(room->as_string()) : StageRoomId::roomOf(s.id);
}

void StageService::withRoomStage(const std::string& roomId, std::function<void(Stage&)> fn, std::function<void()> missing) {
  auto stageId = StageRoomId::stageOf(roomId);
  if (!stageId) return missing();
  withStage(
      *stageId,
      [roomId, fn = std::move(fn), missing](Stage& s) {
        if (roomOf(s) != roomId) return missing();
        fn(s);
      },
      [missing](api::Result) { missing(); });
}

StageService::Participant* StageService::connectedHere(Stage& s, const std::string& userId, const std::string& sessionId) {
  auto it = s.participants.find(userId);
  if (it == s.participants.end()) return nullptr;
  const auto& connections = it->second.connections;
  const bool here = std::any_of(connections.begin(), connections.end(), [&](const auto& c) { return c.sessionId == sessionId; });
  return here ? &it->second : nullptr;
}

void StageService::admitMedia(const std::string& roomId, const std::string& userId, const std::string& sessionId,
                              std::function<void(bool, std::optional<ApiError>)> done) {
  withRoomStage(
      roomId,
      [this, userId, sessionId, done](Stage& s) {
        if (connectedHere(s, userId, sessionId)) return done(true, std::nullopt);
        done(true, ApiError{ErrorCode::Permission, fmt::format("open stage {} on this connection first (stage.open)", s.id), std::nullopt});
      },
      [done] { done(false, std::nullopt); });
}

void StageService::mayPublishMedia(const std::string& roomId, const std::string& userId, const std::string& sessionId,
                                   std::function<void(std::optional<ApiError>)> done) {
  withRoomStage(
      roomId,
      [this, userId, sessionId, done](Stage& s) {
        const Participant* p = connectedHere(s, userId, sessionId);
        if (p && p->status == OnStage && p->canPublish) return done(std::nullopt);
        done(ApiError{ErrorCode::Permission, "only participants ON_STAGE with PUBLISH may publish", std::nullopt});
      },
      [done, roomId] { done(ApiError{ErrorCode::NotFound, "no stage has the media room " + roomId, std::nullopt}); });
}

void StageService::maySubscribeMedia(const std::string& roomId, const std::string& userId, const std::string& sessionId,
                                     std::vector<std::pair<std::string, std::string>> tracks, std::function<void(MediaVerdicts)> done) {
  withRoomStage(
      roomId,
      [this, userId, sessionId, tracks = std::move(tracks), done](Stage& s) {
        const Participant* me = connectedHere(s, userId, sessionId);
        if (!me || !me->canSubscribe) {
          return done(ApiError{ErrorCode::Permission, "your stage token lacks the SUBSCRIBE capability", std::nullopt});
        }
        std::vector<std::string> reasons;
        for (const auto& [publisherUserId, kind] : tracks) {
          auto publisher = s.participants.find(publisherUserId);
          std::string_view type = SubscribeType::kAudioVideo;
          if (publisher != s.participants.end()) {
            auto chosen = me->subscribeTypes.find(publisher->second.participantId);
            if (chosen != me->subscribeTypes.end()) type = chosen->second;
          }
          reasons.emplace_back(SubscribeType::allows(type, kind) ? "" : "subscribe_type");
        }
        done(std::move(reasons));
      },
      [done, roomId] { done(ApiError{ErrorCode::NotFound, "no stage has the media room " + roomId, std::nullopt}); });
}

void StageService::mediaPublished(const std::string& roomId, const std::string& userId, json::object stream, bool first) {
  withRoomStage(
      roomId,
      [this, userId, stream = std::move(stream), first](Stage& s) {
        auto it = s.participants.find(userId);
        if (it == s.participants.end()) return;
        Participant& p = it->second;
        const auto& streamId = stream.at("streamId");
        auto same = std::find_if(p.streams.begin(), p.streams.end(), [&](const json::value& v) { return v.as_object().at("streamId").as_string() == streamId; });
        if (same != p.streams.end()) *same = stream;
        else p.streams.push_back(stream);
        if (first) toAll(s, "stage.participantStreamsAdded", json::object{{"participantId", p.participantId}, {"userId", p.userId}, {"streams", json::array{stream}}});
      },
      [] {});
}

void StageService::mediaUnpublished(const std::string& roomId, const std::string& userId, const std::string& streamId) {
  withRoomStage(
      roomId,
      [this, userId, streamId](Stage& s) {
        auto it = s.participants.find(userId);
        if (it == s.participants.end()) return;
        Participant& p = it->second;
        auto gone = std::find_if(p.streams.begin(), p.streams.end(), [&](const json::value& v) { return v.as_object().at("streamId").as_string() == streamId; });
        if (gone == p.streams.end()) return;
        json::array removed{*gone};
        p.streams.erase(gone);
        toAll(s, "stage.participantStreamsRemoved", json::object{{"participantId", p.participantId}, {"userId", p.userId}, {"streams", std::move(removed)}});
      },
      [] {});
}

// ---- server API ------------------------------------------------------------------------------

void StageService::create(json::object settings, Reply reply, std::string_view idPrefix) {
  std::string id = util::randomId(idPrefix, 9);
  settings["id"] = id;
  settings["createdAt"] = iso(nowMs());
  // The stream room the media plane (SFU) will use; its publish permission follows the statuses.
  settings["streamRoomId"] = StageRoomId::roomOf(id);
  if (!settings.contains("maxPublishers")) settings["maxPublishers"] = 12;
  std::string text = json::serialize(settings);
  engine_.registry().put("stage:" + id, text, 0, [this, id, settings, reply](engine::Outcome<engine::PutResult> r) {
    if (auto* e = std::get_if<engine::EngineError>(&r)) return reply(unavailable(*e));
    // The index of stages: a Registry set, so creates and removes at once never lose each other's id.
    engine_.registry().addMember("stages:index", id, [settings, reply](engine::Outcome<bool> r) {
      if (auto* e = std::get_if<engine::EngineError>(&r)) return reply(unavailable(*e));
      reply(settings);
    });
  });
}

void StageService::get(const std::string& stageId, Reply reply) {
  withStage(stageId, [reply](Stage& s) { reply(s.record); }, reply);
}

void StageService::list(Reply reply) {
  engine_.registry().get("stages:index", [this, reply](engine::Outcome<std::optional<engine::Record>> r) {
    if (auto* e = std::get_if<engine::EngineError>(&r)) return reply(unavailable(*e));
    auto rec = std::get<std::optional<engine::Record>>(r);
    json::array ids;
    if (rec) {
      auto v = parse(rec->value);
      if (v.is_array()) ids = v.as_array();
    }
    struct Gather {
      std::mutex mutex;
      size_t pending;
      json::array stages;
    };
    auto g = std::make_shared<Gather>();
    g->pending = ids.size();
    if (ids.empty()) return reply(json::object{{"stages", json::array()}});
    for (const auto& idValue : ids) {
      std::string id(idValue.as_string());
      engine_.registry().get("stage:" + id, [g, reply](engine::Outcome<std::optional<engine::Record>> r) {
        std::lock_guard lock(g->mutex);
        if (auto* rec = std::get_if<std::optional<engine::Record>>(&r); rec && *rec) g->stages.push_back(parse((*rec)->value));
        if (--g->pending == 0) reply(json::object{{"stages", g->stages}});
      });
    }
  });
}

void StageService::update(const std::string& stageId, json::object changes, Reply reply) {
  withStage(
      stageId,
      [this, changes, reply](Stage& s) {
        for (const auto& [k, v] : changes) {
          if (k != "id" && k != "createdAt") s.record[k] = v;
        }
        engine_.registry().put("stage:" + s.id, json::serialize(s.record), std::nullopt, [record = s.record, reply](engine::Outcome<engine::PutResult> r) {
          if (auto* e = std::get_if<engine::EngineError>(&r)) return reply(unavailable(*e));
          reply(record);
        });
      },
      reply);
}

void StageService::remove(const std::string& stageId, Reply reply) {
  size_t owner = ownerOf(stageId);
  withStage(
      stageId,
      [this, owner, stageId, reply](Stage& s) {
        for (auto& [userId, p] : s.participants) setStatus(s, p, OffStage);
        shards_[owner]->stages.erase(stageId);
        engine_.registry().remove("stage:" + stageId, [](auto) {});
        engine_.registry().remove("stage:" + stageId + ":state", [](auto) {});
        engine_.registry().removeMember("stages:index", stageId, [reply](engine::Outcome<bool> r) {
          if (auto* e = std::get_if<engine::EngineError>(&r)) return reply(unavailable(*e));
          reply(json::object{{"ok", true}});
        });
      },
      reply);
}

void StageService::participantsOf(const std::string& stageId, Reply reply) {
  withStage(stageId, [this, reply](Stage& s) { reply(json::object{{"participants", participantsJson(s)}}); }, reply);
}

void StageService::stats(const std::string& stageId, Reply reply) {
  withStage(
      stageId,
      [this, reply](Stage& s) {
        reply(json::object{{"stageId", s.id}, {"participants", s.participants.size()}, {"connected", s.connected},
                           {"subscribers", pool_.subscriptions("st:" + s.id)}});
      },
      reply);
}

void StageService::disconnect(const std::string& stageId, const std::string& participantId, const std::string& reason, Reply reply) {
  withStage(
      stageId,
      [this, participantId, reason, reply](Stage& s) {
        for (auto& [userId, p] : s.participants) {
          if (p.participantId != participantId) continue;
          setStatus(s, p, OffStage);
          for (const auto& c : p.connections) {
            pool_.post(c.shard, [session = c.session, reason] {
              if (auto sess = session.lock()) {
                if (auto conn = sess->connection().lock()) conn->close(4012, reason.empty() ? "disconnected by the server" : reason);
              }
            });
          }
          return reply(json::object{{"ok", true}});
        }
        reply(ApiError{ErrorCode::NotFound, "no participant " + participantId, std::nullopt});
      },
      reply);
}

// ---- timers ----------------------------------------------------------------------------------

void StageService::arm(size_t shard) {
  shards_[shard]->timer->expires_after(std::chrono::milliseconds(options_.requestUpdateIntervalMs));
  shards_[shard]->timer->async_wait([this, shard](const boost::system::error_code& ec) {
    if (ec) return;
    tick(shard);
    arm(shard);
  });
}

// Per stage: coalesced host updates (at most one of each per interval), expired participant
// tokens, forgetting departed viewers, the save of changed statuses, and unloading the stage when
// idle. The work is O(stages + what is due): connected and departed people are not walked.
void StageService::tick(size_t shard) {
  const int64_t now = nowMs();
  auto& stages = shards_[shard]->stages;
  for (auto it = stages.begin(); it != stages.end();) {
    Stage& s = it->second;
    if (!s.loaded) {
      ++it;
      continue;
    }
    if (s.requestsDirty) {
      s.requestsDirty = false;
      json::value requests = requestsJson(s);
      toHosts(s, "stage.stageAccessRequestUpdate", json::object{{"requests", requests}});
      toHosts(s, "stage.newStageRequest", json::object{{"count", requests.as_array().size()}});
    }
    expireTokens(s, now);
    forgetDeparted(s, now);
    if (s.stateDirty) save(s);
    // Saved above, and the store runs that save before any later load: nothing is lost.
    if (idle(s)) it = stages.erase(it);
    else ++it;
  }
}

void StageService::expireTokens(Stage& s, int64_t now) {
  while (!s.expiries.empty() && std::get<0>(*s.expiries.begin()) <= now) {
    auto [expiresAtMs, userId, sessionId] = *s.expiries.begin();
    s.expiries.erase(s.expiries.begin());
    auto p = s.participants.find(userId);
    if (p == s.participants.end()) continue;
    for (const auto& c : p->second.connections) {
      if (c.sessionId != sessionId) continue;
      pool_.post(c.shard, [session = c.session] {
        if (auto sess = session.lock()) {
          // A token refreshed on the connection (`refresh`) outlives the exp recorded here; the
          // connection itself closes with 4011 when the refreshed one runs out.
          if (sess->claims() && sess->claims()->expiresAt * 1000 > nowMs()) return;
          if (auto conn = sess->connection().lock()) conn->close(4011, "token expired");
        }
      });
    }
  }
}

void StageService::forgetDeparted(Stage& s, int64_t now) {
  while (!s.departed.empty() && s.departed.front().first + options_.departedTtlMs <= now) {
    auto [departedAtMs, userId] = std::move(s.departed.front());
    s.departed.pop_front();
    auto p = s.participants.find(userId);
    if (p == s.participants.end() || p->second.departedAtMs != departedAtMs) continue;  // came back since
    const Participant& q = p->second;
    if (q.host || q.status != OffStage || !q.connections.empty()) continue;
    s.participants.erase(p);
  }
}

// Nobody connected, no departed viewer still remembered, nothing to save or send, no load waiting.
bool StageService::idle(const Stage& s) const {
  return s.connected == 0 && s.departed.empty() && s.waiting.empty() && !s.stateDirty && !s.requestsDirty;
}

}  // namespace onair::stage
