#include "rooms/RoomService.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <set>

#include "api/ClientSession.hpp"
#include "api/Envelope.hpp"
#include "net/WsCodec.hpp"
#include "net/WsConnection.hpp"
#include "rooms/EventText.hpp"
#include "util/Time.hpp"

namespace onair::rooms {

using api::ApiError;
using api::ErrorCode;
namespace json = boost::json;

// ---- state ---------------------------------------------------------------------------------

struct RoomService::Member {
  std::string name;
  json::value metadata;
  json::value presence;
  int64_t joinedAtMs = 0;
  std::set<std::string> connections;  // session ids; "server" for a member held by the server API
  uint64_t order = 0;                 // join order, for listings
  size_t metadataBytes = 0;           // serialized sizes, for page budgets
  size_t presenceBytes = 0;
};

struct RoomService::Recovery {
  SubscribeRequest request;
  Reply reply;
  uint64_t from = 0;                           // first offset the subscriber is missing
  std::vector<engine::StreamMessage> buffered;  // appended while the read was in flight
};

struct RoomService::Stream {
  Kind kind = Kind::Room;
  std::string name;
  uint64_t generation = 0;  // tells a load's late callbacks from a re-created stream's
  uint32_t inflight = 0;    // engine calls under way that will come back to this stream
  bool loaded = false;
  bool loading = false;
  std::vector<std::function<void(Stream&)>> waiting;
  std::vector<Reply> waitingErrors;
  engine::StreamPosition head;  // the newest message fanned out on this node
  bool brokerSubscribed = false;  // this node hears the topic's events (undone when forgotten)
  engine::StreamPosition seenWhileLoading;  // newest announcement that came before the head did
  bool catchingUp = false;  // reading missed messages from History; announcements wait in `pending`
  bool catchUpAgain = false;  // asked for while a read was under way
  bool retryArmed = false;    // a failed read's retry is waiting
  // Run when a catch-up ends (or its read failed); their replies answer a destroy meanwhile.
  std::vector<std::pair<std::function<void(Stream&)>, Reply>> afterCatchUp;
  std::map<uint64_t, engine::StreamMessage> pending;  // announced after a gap, by offset
  // Members connected to other nodes (multi-node engines), by join order, as Presence last listed them.
  std::map<uint64_t, std::pair<std::string, Member>> remote;
  // Multi-node: leaves of users whose last connection here went, not announced yet (Presence is
  // asked first), by user: one who joins here again meanwhile stays a member for the others.
  std::unordered_map<std::string, int> leaving;
  std::vector<std::shared_ptr<Recovery>> recoveries;
  std::unordered_map<std::string, Member> members;
  std::map<uint64_t, std::string> memberOrder;  // join order -> userId, for pages
  uint64_t nextMemberOrder = 0;
  json::value metadata = json::object();
  uint64_t metadataVersion = 0;
  int64_t metadataUpdatedAtMs = 0;
};

struct RoomService::LocalSub {
  std::weak_ptr<net::WsConnection> connection;
  net::FrameSink* sink = nullptr;
  Kind kind = Kind::Room;
  std::string name;
  std::string userId;
};

struct RoomService::Shard {
  std::unique_ptr<boost::asio::steady_timer> evictionTimer;
  uint64_t nextGeneration = 1;
  // Owner side: streams this shard owns, and counters for stats.
  std::unordered_map<std::string, Stream> streams;
  uint64_t stored = 0;
  uint64_t delivered = 0;
  // Subscriber side: subscriptions of this shard's sessions.
  std::unordered_map<api::ClientSession*, std::unordered_map<std::string, LocalSub>> bySession;
  std::unordered_map<std::string, std::unordered_set<api::ClientSession*>> byTopic;
  // Session id → topics it is subscribing to (request made, not answered yet): they count
  // against the connection's limit, so a burst of requests cannot overshoot it.
  std::unordered_map<std::string, std::unordered_set<std::string>> joining;
};

namespace {

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

uint64_t nowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Upper bounds of the JSON a member or a message takes in a reply (strings may be escaped up
// to six bytes per byte), so a page stays within its budget without serializing twice.
size_t memberBytes(const std::string& userId, const std::string& name, size_t metadataBytes, size_t presenceBytes) {
  return 6 * (userId.size() + name.size()) + metadataBytes + presenceBytes + 128;
}

size_t messageBytes(const engine::StreamMessage& m) {
  return 6 * (m.type.size() + m.publisher.size()) + m.dataJson.size() + 192;
}

// The cursor of the members page after the member with join order `last`; null when none.
json::value memberCursorJson(std::optional<uint64_t> last) {
  return last ? json::value(json::string(MemberCursor{*last}.encode())) : json::value(nullptr);
}

ApiError unavailable(const engine::EngineError& e) {
  return {ErrorCode::ServiceUnavailable, "storage is unavailable: " + e.message, e.retryAfterMs};
}

json::value positionJson(const engine::StreamPosition& p) { return json::object{{"offset", p.offset}, {"epoch", p.epoch}}; }

json::value parseStored(const std::string& text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  return ec ? json::value() : v;
}

json::value messageJson(const engine::StreamMessage& m, const std::string& epoch) {
  return parseStored(EventText::message(m, epoch));
}

const char* eventPrefix(Kind kind) { return kind == Kind::Room ? "room." : "channel."; }

// "room lobby" / "channel deploys" from a topic ("r:lobby" / "c:deploys").
std::string describeTopic(const std::string& topic) {
  return (topic.starts_with("r:") ? "room " : "channel ") + topic.substr(2);
}

ApiError destroyedWhilePublishing(const std::string& topic) {
  return {ErrorCode::NotFound, describeTopic(topic) + " was destroyed while this message was being stored; it was neither kept nor delivered", std::nullopt};
}

ApiError keyReused(const std::string& topic, uint64_t offset) {
  return {ErrorCode::Conflict,
          fmt::format("you already used this idempotencyKey on {} for a different message (offset {}); use a new key for a new message", describeTopic(topic), offset),
          std::nullopt};
}

}  // namespace

// ---- plumbing ------------------------------------------------------------------------------

RoomService::RoomService(hub::ShardPool& pool, engine::Engine& engine, NamespacePolicy policy, size_t maxSubscriptionsPerConnection)
    : pool_(pool),
      engine_(engine),
      policy_(std::move(policy)),
      maxSubscriptionsPerConnection_(maxSubscriptionsPerConnection),
      pageBytes_(pool.loop(0).wsSettings().sendQueueBytes / 8),
      multiNode_(engine.name() != "embedded") {
  for (size_t i = 0; i < pool_.size(); ++i) {
    shards_.push_back(std::make_unique<Shard>());
    shards_.back()->evictionTimer = std::make_unique<boost::asio::steady_timer>(pool_.loop(i).io());
    armEviction(i);
  }
  // Handlers run on the publishing thread (embedded) or the engine's (Redis): each goes to the
  // topic's owner, at once when already there.
  engine_.broker().setHandler([this](const std::string& topic, const engine::Broker::Payload& frame) {
    size_t owner = pool_.ownerOf(topic);
    if (!frame->empty() && frame->front() == '\0') {
      // Another node destroyed the stream: drop this node's subscriptions and state too.
      if (*frame == destroyedNotice() || topic.size() < 2) return;
      return pool_.run(owner, [this, owner, topic] { dropLocal(owner, topic.substr(2), topic); });
    }
    if (!frame->empty() && frame->front() == kToUser) return deliverToUser(topic, *frame);
    if (!frame->empty() && frame->front() == kFromNode) {
      // fanOutHereFirst's: this node's own was delivered already; another's loses its tag.
      const size_t end = frame->find('\0', 1);
      if (end == std::string::npos || frame->compare(1, end - 1, engine_.nodes().selfId()) == 0) return;
      net::SharedFrame inner = std::make_shared<const std::string>(frame->substr(end + 1));
      return pool_.run(owner, [this, owner, topic, inner] {
        shards_[owner]->delivered += pool_.subscriptions(topic);
        pool_.publish(topic, inner);
      });
    }
    pool_.run(owner, [this, owner, topic, frame] {
      shards_[owner]->delivered += pool_.subscriptions(topic);
      pool_.publish(topic, frame);
    });
  });
  engine_.broker().setStoredHandler([this](const std::string& topic, const engine::StreamMessage& message, const std::string& epoch) {
    size_t owner = pool_.ownerOf(topic);
    pool_.run(owner, [this, owner, topic, message, epoch] { onStored(owner, topic, message, epoch); });
  });
  engine_.broker().addResyncHandler([this] {
    for (size_t shard = 0; shard < pool_.size(); ++shard) {
      pool_.post(shard, [this, shard] {
        std::vector<std::string> loaded;
        for (auto& [topic, s] : shards_[shard]->streams) {
          if (s.loaded) loaded.push_back(topic);  // a loading one reads its head after subscribing
        }
        for (const auto& topic : loaded) catchUp(shard, topic);
      });
    }
  });
}

RoomService::~RoomService() {
  for (auto& shard : shards_) shard->evictionTimer->cancel();
}

void RoomService::armEviction(size_t shard) {
  shards_[shard]->evictionTimer->expires_after(std::chrono::seconds(30));
  shards_[shard]->evictionTimer->async_wait([this, shard](const boost::system::error_code& ec) {
    if (ec) return;
    evictIdle(shard);
    armEviction(shard);
  });
}

void RoomService::evictIdle(size_t shard) {
  std::vector<std::string> idle;
  for (const auto& [topic, s] : shards_[shard]->streams) {
    if (s.loaded && s.inflight == 0 && !s.catchingUp && s.afterCatchUp.empty() && s.members.empty() && s.recoveries.empty() && s.waiting.empty() &&
        pool_.subscriptions(topic) == 0) {
      idle.push_back(topic);
    }
  }
  for (const auto& topic : idle) forget(shard, topic);
}

void RoomService::forget(size_t owner, const std::string& topic) {
  auto it = shards_[owner]->streams.find(topic);
  if (it == shards_[owner]->streams.end()) return;
  if (it->second.brokerSubscribed) engine_.broker().unsubscribe(topic);
  shards_[owner]->streams.erase(it);
}

std::string RoomService::topicOf(Kind kind, const std::string& name) { return (kind == Kind::Room ? "r:" : "c:") + name; }

RoomService::Stream* RoomService::find(size_t owner, const std::string& topic) {
  auto& streams = shards_[owner]->streams;
  auto it = streams.find(topic);
  return it == streams.end() ? nullptr : &it->second;
}

RoomService::Stream* RoomService::find(size_t owner, const std::string& topic, uint64_t generation) {
  Stream* s = find(owner, topic);
  return s && s->generation == generation ? s : nullptr;
}

// On the owner, multi-node engines: this node's subscribers get the event at once (as with one
// node, a member joining now, not subscribed yet, does not hear its own join), the other nodes
// through the broker, tagged with this node's id so that its own copy is skipped.
void RoomService::fanOutHereFirst(const std::string& topic, const std::string& eventText) {
  if (!multiNode_) return fanOut(topic, eventText);
  auto frame = net::makeSharedFrame(net::WsCodec::encodeFrame(net::WsOpcode::Text, eventText));
  shards_[pool_.ownerOf(topic)]->delivered += pool_.subscriptions(topic);
  pool_.publish(topic, frame);
  const std::string& self = engine_.nodes().selfId();
  std::string tagged;
  tagged.reserve(2 + self.size() + frame->size());
  tagged.append(1, kFromNode).append(self).append(1, '\0').append(*frame);
  engine_.broker().publish(topic, std::make_shared<const std::string>(std::move(tagged)));
}

void RoomService::fanOut(const std::string& topic, const std::string& eventText) {
  engine_.broker().publish(topic, net::makeSharedFrame(net::WsCodec::encodeFrame(net::WsOpcode::Text, eventText)));
}

void RoomService::withStream(Kind kind, const std::string& name, std::function<void(Stream&)> fn, Reply onError) {
  std::string topic = topicOf(kind, name);
  size_t owner = pool_.ownerOf(topic);
  pool_.post(owner, [this, kind, name, topic, owner, fn = std::move(fn), onError = std::move(onError)]() mutable {
    auto [it, created] = shards_[owner]->streams.try_emplace(topic);
    auto& s = it->second;
    if (created) s.generation = shards_[owner]->nextGeneration++;
    if (s.loaded) return fn(s);
    s.kind = kind;
    s.name = name;
    s.waiting.push_back(std::move(fn));
    s.waitingErrors.push_back(std::move(onError));
    if (!s.loading) load(owner, topic);
  });
}

// Loads the head (and a room's metadata), then runs what waited for it.
void RoomService::load(size_t owner, const std::string& topic) {
  Stream* s = find(owner, topic);
  s->loading = true;
  const uint64_t generation = s->generation;
  // The stream this load is for, unless it was destroyed (and perhaps made again) meanwhile.
  auto current = [this, owner, topic, generation]() -> Stream* { return find(owner, topic, generation); };
  auto fail = [this, owner, topic, current](const engine::EngineError& e) {
    pool_.post(owner, [this, owner, topic, e, current] {
      Stream* s = current();
      if (!s) return;
      auto errors = std::move(s->waitingErrors);
      forget(owner, topic);
      for (auto& reply : errors) reply(unavailable(e));
    });
  };
  // Heard first, read second: whatever is appended after the head read is announced here.
  engine_.broker().subscribe(topic, [this, owner, topic, fail, current](engine::Outcome<engine::Done> subscribed) {
    if (auto* e = std::get_if<engine::EngineError>(&subscribed)) return fail(*e);
    pool_.run(owner, [this, owner, topic, fail, current] {
      Stream* s = current();
      if (!s) return engine_.broker().unsubscribe(topic);  // destroyed meanwhile
      s->brokerSubscribed = true;
      readHead(owner, topic, fail, current);
    });
  });
}

void RoomService::readHead(size_t owner, const std::string& topic, std::function<void(const engine::EngineError&)> fail,
                           std::function<Stream*()> current) {
  engine::ReadRequest head{topic, 0, false, 0};
  engine_.history().read(head, [this, owner, topic, fail, current](engine::Outcome<engine::ReadResult> r) {
    if (auto* e = std::get_if<engine::EngineError>(&r)) return fail(*e);
    auto position = std::get<engine::ReadResult>(r).head;
    pool_.post(owner, [this, owner, topic, position, fail, current] {
      Stream* s = current();
      if (!s) return;
      s->head = position;
      // An announcement that overtook the read: nobody is subscribed yet, only the head moves.
      if (s->seenWhileLoading.epoch == position.epoch && s->seenWhileLoading.offset > position.offset) {
        s->head.offset = s->seenWhileLoading.offset;
      }
      auto finish = [current] {
        Stream* s = current();
        if (!s) return;
        s->loaded = true;
        s->loading = false;
        auto waiting = std::move(s->waiting);
        s->waitingErrors.clear();
        for (auto& fn : waiting) fn(*s);
      };
      if (s->kind != Kind::Room) return finish();
      engine_.registry().get("meta:" + s->name, [this, owner, fail, finish, current](engine::Outcome<std::optional<engine::Record>> r) {
        if (auto* e = std::get_if<engine::EngineError>(&r)) return fail(*e);
        auto record = std::get<std::optional<engine::Record>>(r);
        pool_.post(owner, [record, finish, current] {
          Stream* s = current();
          if (!s) return;
          if (record) {
            s->metadata = parseStored(record->value);
            s->metadataVersion = record->version;
            s->metadataUpdatedAtMs = record->updatedAtMs;
          }
          finish();
        });
      });
    });
  });
}

// ---- publishing ----------------------------------------------------------------------------

void RoomService::publish(PublishRequest request, Reply reply) {
  const auto& opts = policy_.optionsFor(request.name);
  if (static_cast<int64_t>(request.dataJson.size()) > opts.maxMessageBytes) {
    return reply(ApiError{ErrorCode::PayloadTooLarge, fmt::format("data is {} bytes; this namespace allows {}", request.dataJson.size(), opts.maxMessageBytes), std::nullopt});
  }
  std::string topic = topicOf(request.kind, request.name);
  size_t owner = pool_.ownerOf(topic);
  engine::Retention retention{static_cast<uint32_t>(opts.historySize), opts.historyTtlSeconds, opts.idempotencyTtlSeconds};
  const Kind kind = request.kind;
  const std::string name = request.name;  // read before the lambda below takes `request`
  withStream(
      kind, name,
      [this, owner, topic, retention, request = std::move(request), reply](Stream& stream) mutable {
        ++stream.inflight;
        const uint64_t generation = stream.generation;
        // Announced: every node (this one too) fans the message out when its announcement comes
        // (onStored), in offset order whichever node appended it.
        engine::AppendRequest append{topic, request.type, request.dataJson, request.publisher, request.idempotencyKey, retention, true};
        engine_.history().append(std::move(append), [this, owner, topic, generation, reply](engine::Outcome<engine::AppendResult> r) {
          pool_.post(owner, [this, owner, topic, generation, reply, r = std::move(r)] {
            Stream* s = find(owner, topic, generation);
            if (s && s->inflight > 0) --s->inflight;
            if (auto* e = std::get_if<engine::EngineError>(&r)) return reply(unavailable(*e));
            auto result = std::get<engine::AppendResult>(r);
            // Destroyed while the append was under way: the remove that followed it took the
            // message along, and a stream made again since is another life that must not see it.
            if (!s) return reply(destroyedWhilePublishing(topic));
            if (result.conflict) return reply(keyReused(topic, result.offset));
            if (!result.duplicate) ++shards_[owner]->stored;  // counted where appended, delivered everywhere
            reply(json::object{{"offset", result.offset}, {"epoch", result.epoch}, {"timestamp", result.timestampMs},
                               {"duplicate", result.duplicate}});
          });
        });
      },
      reply);
}

// On the owner: a stored message announced by the engine (any node's append). Delivered once, in
// offset order: older ones are dropped, a gap is filled from History first, and a message of
// another epoch makes the node ask History which life is current.
void RoomService::onStored(size_t owner, const std::string& topic, const engine::StreamMessage& message, const std::string& epoch) {
  Stream* s = find(owner, topic);
  if (!s) return;
  if (!s->loaded) {
    if (s->seenWhileLoading.epoch != epoch || message.offset > s->seenWhileLoading.offset) s->seenWhileLoading = {message.offset, epoch};
    return;
  }
  // A late message of a life destroyed here (History says ours is current: it is dropped), or
  // the first of a life this node has not heard of (Redis lost the stream, or it was destroyed
  // while this node was cut off): catchUp follows History.
  if (epoch != s->head.epoch) return catchUp(owner, topic);
  if (message.offset <= s->head.offset) return;
  if (s->catchingUp || s->retryArmed || message.offset > s->head.offset + 1) {
    // Kept for after the read under way (no new read per message: a busy stream must finish).
    if (s->pending.size() < kMaxPending) s->pending.emplace(message.offset, message);
    if (!s->catchingUp && !s->retryArmed) catchUp(owner, topic);
    return;
  }
  deliver(owner, *s, message);
}

void RoomService::deliver(size_t owner, Stream& s, const engine::StreamMessage& message) {
  s.head.offset = message.offset;
  onAppended(owner, topicOf(s.kind, s.name), message);
}

// Reads what follows the head from History and delivers it, then what waited in `pending`. Runs
// one read at a time per stream (a request meanwhile runs once more after it); a failed read is
// retried after kCatchUpRetry with `pending` kept, so nothing announced is stepped over while
// History can still give it.
void RoomService::catchUp(size_t owner, const std::string& topic) {
  Stream* s = find(owner, topic);
  if (!s) return;
  if (s->catchingUp || s->retryArmed) {
    s->catchUpAgain = true;
    return;
  }
  s->catchingUp = true;
  s->catchUpAgain = false;
  ++s->inflight;
  const uint64_t generation = s->generation;
  engine::ReadRequest read{topic, s->head.offset + 1, true, kCatchUpBatch};
  engine_.history().read(read, [this, owner, topic, generation](engine::Outcome<engine::ReadResult> r) {
    pool_.post(owner, [this, owner, topic, generation, r = std::move(r)] {
      Stream* s = find(owner, topic, generation);
      if (!s) return;
      if (s->inflight > 0) --s->inflight;
      s->catchingUp = false;
      if (auto* e = std::get_if<engine::EngineError>(&r)) {
        spdlog::warn("{}: cannot read missed messages yet ({}); retrying", describeTopic(topic), e->message);
        runAfterCatchUp(*s);  // joins waiting for it go on with what this node has (no request waits on an outage)
        return retryCatchUp(owner, topic, generation);
      }
      const auto& result = std::get<engine::ReadResult>(r);
      if (!followHistory(owner, *s, result)) return catchUp(owner, topic);
      // What waited, in order, as far as it follows on.
      while (!s->pending.empty() && s->pending.begin()->first <= s->head.offset + 1) {
        auto first = s->pending.extract(s->pending.begin());
        if (first.key() > s->head.offset) deliver(owner, *s, first.mapped());
      }
      runAfterCatchUp(*s);
      // A gap before what waits: read again if History did not have it when read (appended
      // since); else it is trimmed and stepped over.
      const bool gapReadable = !s->pending.empty() && result.head.offset < s->pending.begin()->first;
      if (gapReadable || s->catchUpAgain) return catchUp(owner, topic);
      auto rest = std::move(s->pending);
      for (const auto& [offset, m] : rest) {
        if (offset > s->head.offset) deliver(owner, *s, m);
      }
    });
  });
}

// Applies one catch-up read: delivers what follows the head. False when another read is needed
// (History is in another life than this node, or more messages follow than one read returns).
bool RoomService::followHistory(size_t owner, Stream& s, const engine::ReadResult& result) {
  if (result.head.epoch != s.head.epoch) {
    spdlog::info("{}: now in epoch {} (was {}); following it from its start", describeTopic(topicOf(s.kind, s.name)),
                 result.head.epoch, s.head.epoch);
    s.head = {0, result.head.epoch};
    s.pending.clear();  // of the old life
    return false;
  }
  // Redis lost its last writes (a restart within appendfsync's second): offsets are given again.
  if (result.head.offset < s.head.offset) s.head.offset = result.head.offset;
  for (const auto& m : result.messages) {
    if (m.offset > s.head.offset) deliver(owner, s, m);  // past a trimmed gap too
  }
  // A read stops at kCatchUpBatch messages or its byte budget: one that stopped before the head reads on.
  const bool stoppedEarly = !result.messages.empty() && result.messages.back().offset < result.head.offset;
  return !(stoppedEarly && s.head.offset < result.head.offset);
}

void RoomService::runAfterCatchUp(Stream& s) {
  auto waiters = std::move(s.afterCatchUp);
  for (auto& [fn, reply] : waiters) fn(s);
}

void RoomService::retryCatchUp(size_t owner, const std::string& topic, uint64_t generation) {
  Stream* s = find(owner, topic, generation);
  if (!s || s->retryArmed) return;
  s->retryArmed = true;  // one retry chain per stream, however many asked meanwhile
  auto timer = std::make_shared<boost::asio::steady_timer>(pool_.loop(owner).io(), kCatchUpRetry);
  timer->async_wait([this, owner, topic, generation, timer](const boost::system::error_code& ec) {
    Stream* s = ec ? nullptr : find(owner, topic, generation);
    if (!s) return;
    s->retryArmed = false;
    catchUp(owner, topic);
  });
}

// On the owner: a stored message reaches this node's subscribers (every node does this for
// itself when the announcement comes, so it is never published to the broker again).
void RoomService::onAppended(size_t owner, const std::string& topic, const engine::StreamMessage& message) {
  Stream* s = find(owner, topic);
  if (!s) return;
  for (auto& rec : s->recoveries) rec->buffered.push_back(message);
  std::string text = EventText::stored(std::string(eventPrefix(s->kind)) + "message", s->name, message, s->head.epoch);
  shards_[owner]->delivered += pool_.subscriptions(topic);
  pool_.publish(topic, net::makeSharedFrame(net::WsCodec::encodeFrame(net::WsOpcode::Text, text)));
}

void RoomService::broadcast(PublishRequest request, Reply reply) {
  const auto& opts = policy_.optionsFor(request.name);
  if (static_cast<int64_t>(request.dataJson.size()) > opts.maxMessageBytes) {
    return reply(ApiError{ErrorCode::PayloadTooLarge, fmt::format("data is {} bytes; this namespace allows {}", request.dataJson.size(), opts.maxMessageBytes), std::nullopt});
  }
  // Nothing stored, so nothing fails later: without the engine's broker (Redis down) a
  // broadcast would reach this node's subscribers only, so it is refused like a publish.
  if (multiNode_ && !engine_.ready()) {
    return reply(ApiError{ErrorCode::ServiceUnavailable, "the engine is unavailable; the message was not sent", 1000});
  }
  std::string topic = topicOf(request.kind, request.name);
  pool_.post(pool_.ownerOf(topic), [this, topic, request = std::move(request), reply] {
    fanOut(topic, EventText::transient(std::string(eventPrefix(request.kind)) + "message", request.name, request.type,
                                       request.dataJson, request.publisher, nowMs()));
    reply(json::object());
  });
}

void RoomService::send(DirectRequest request, Reply reply) {
  const auto& opts = policy_.optionsFor(request.room);
  if (static_cast<int64_t>(request.dataJson.size()) > opts.maxMessageBytes) {
    return reply(ApiError{ErrorCode::PayloadTooLarge, fmt::format("data is {} bytes; this namespace allows {}", request.dataJson.size(), opts.maxMessageBytes), std::nullopt});
  }
  if (multiNode_ && !engine_.ready()) {
    return reply(ApiError{ErrorCode::ServiceUnavailable, "the engine is unavailable; the message was not sent", 1000});
  }
  std::string room = request.room;
  withStream(
      Kind::Room, room,
      [this, request = std::move(request), reply](Stream& s) {
        auto sender = s.members.find(request.from);
        if (sender == s.members.end() || !sender->second.connections.count(request.fromSession)) {
          return reply(ApiError{ErrorCode::NotFound, "join room " + s.name + " before sending to its members", std::nullopt});
        }
        // A member connected elsewhere is known from Presence, listed again now (it may be new).
        if (s.members.count(request.to) || !multiNode_) return sendToMember(s, request, reply);
        withMembers(Kind::Room, s.name, [this, request, reply](Stream& s) { sendToMember(s, request, reply); }, reply);
      },
      reply);
}

void RoomService::sendToMember(const Stream& s, const DirectRequest& request, Reply reply) {
  bool member = s.members.count(request.to) > 0;
  for (auto it = s.remote.begin(); !member && it != s.remote.end(); ++it) member = it->second.first == request.to;
  if (!member) return reply(ApiError{ErrorCode::NotFound, request.to + " is not a member of room " + s.name, std::nullopt});
  auto frame = net::WsCodec::encodeFrame(net::WsOpcode::Text, EventText::direct(s.name, request.type, request.dataJson, request.from, request.fromSession, nowMs()));
  std::string tagged;
  tagged.reserve(2 + request.to.size() + frame.size());
  tagged.append(1, kToUser).append(request.to).append(1, '\0').append(frame.begin(), frame.end());
  engine_.broker().publish(topicOf(Kind::Room, s.name), std::make_shared<const std::string>(std::move(tagged)));
  reply(json::object());
}

void RoomService::deliverToUser(const std::string& topic, const std::string& payload) {
  const size_t end = payload.find('\0', 1);
  if (end == std::string::npos) return;
  auto userId = std::make_shared<const std::string>(payload.substr(1, end - 1));
  net::SharedFrame frame = std::make_shared<const std::string>(payload.substr(end + 1));
  for (size_t shard = 0; shard < pool_.size(); ++shard) {
    pool_.run(shard, [this, shard, topic, userId, frame] {
      auto& local = *shards_[shard];
      auto sessions = local.byTopic.find(topic);
      if (sessions == local.byTopic.end()) return;
      for (api::ClientSession* session : sessions->second) {
        auto subs = local.bySession.find(session);
        if (subs == local.bySession.end()) continue;
        auto sub = subs->second.find(topic);
        if (sub == subs->second.end() || sub->second.userId != *userId) continue;
        if (auto connection = sub->second.connection.lock()) {
          connection->send(frame);
          ++local.delivered;
        }
      }
    });
  }
}

// ---- reading -------------------------------------------------------------------------------

void RoomService::history(HistoryRequest request, Reply reply) {
  std::string topic = topicOf(request.kind, request.name);
  bool forward = request.cursor ? request.cursor->forward : request.forward;
  uint64_t from = request.cursor ? request.cursor->offset : 0;
  engine::ReadRequest read{topic, from, forward, request.limit};
  read.maxBytes = pageBytes_;  // one page is sent: reading more than it holds is waste
  engine_.history().read(read, [cursor = request.cursor, forward, pageBytes = pageBytes_, reply](engine::Outcome<engine::ReadResult> r) {
    if (auto* e = std::get_if<engine::EngineError>(&r)) return reply(unavailable(*e));
    auto& result = std::get<engine::ReadResult>(r);
    if (cursor && cursor->epoch != result.head.epoch) {
      return reply(ApiError::invalidArgument("cursor belongs to an earlier life of this stream (it was destroyed); start again without a cursor"));
    }
    // Within the page budget (at least one message); the cursor goes on after the last one sent.
    json::array messages;
    size_t bytes = 0;
    uint64_t last = 0;
    for (const auto& m : result.messages) {
      bytes += messageBytes(m);
      if (!messages.empty() && bytes > pageBytes) break;
      messages.push_back(messageJson(m, result.head.epoch));
      last = m.offset;
    }
    json::value next = nullptr;
    if (!messages.empty()) {
      if (!forward && last > result.oldest) next = json::string(Cursor{last - 1, false, result.head.epoch}.encode());
      if (forward && last < result.head.offset) next = json::string(Cursor{last + 1, true, result.head.epoch}.encode());
    }
    reply(json::object{{"messages", std::move(messages)}, {"cursor", next}, {"position", positionJson(result.head)}});
  });
}

// ---- subscribing ---------------------------------------------------------------------------

void RoomService::subscribe(SubscribeRequest request, Reply reply) {
  auto counted = reserveSubscription(request, std::move(reply));
  if (!counted) return;
  reply = std::move(*counted);
  auto kind = request.kind;
  auto name = request.name;
  if (request.member) {
    if (auto e = memberTooLarge(name, "metadata", request.member->metadata)) return reply(*e);
    if (auto e = memberTooLarge(name, "presence", request.member->presence)) return reply(*e);
  }
  withMembers(
      kind, name, [this, request = std::move(request), reply](Stream& s) { subscribeLoaded(s, request, reply, false); }, reply);
}

// On the owner, the stream loaded: joins (rooms), then replays what `since` missed or subscribes.
void RoomService::subscribeLoaded(Stream& s, SubscribeRequest request, Reply reply, bool caughtUp) {
  // The client heard more of this life than this node has yet (it comes from another node whose
  // announcements arrived sooner): this node catches up first, once, so it neither repeats what
  // the client has nor answers recovered: false.
  if (multiNode_ && !caughtUp && request.since && request.since->epoch == s.head.epoch && request.since->offset > s.head.offset) {
    s.afterCatchUp.emplace_back([this, request, reply](Stream& s) { subscribeLoaded(s, request, reply, true); }, reply);
    return catchUp(pool_.ownerOf(topicOf(s.kind, s.name)), topicOf(s.kind, s.name));
  }
  if (request.kind == Kind::Room && request.member) {
    const auto& opts = policy_.optionsFor(s.name);
    if (opts.presence) {
      if (!s.members.count(request.member->userId) && static_cast<int64_t>(s.members.size()) >= opts.maxMembers) {
        return reply(ApiError{ErrorCode::CapExceeded, fmt::format("room {} is full ({} members)", s.name, s.members.size()), std::nullopt});
      }
      addMemberConnection(s, *request.member, request.sessionId);
    }
  }
  std::optional<bool> recovered;
  if (request.since) {
    const auto& since = *request.since;
    const auto& opts = policy_.optionsFor(s.name);
    bool sameEpoch = since.epoch == s.head.epoch;
    if (sameEpoch && since.offset < s.head.offset && s.head.offset - since.offset <= static_cast<uint64_t>(opts.historySize)) {
      return startRecovery(s, std::move(request), std::move(reply));
    }
    recovered = sameEpoch && since.offset == s.head.offset;
  }
  finishSubscribe(s, request, {}, recovered, std::move(reply));
}

std::optional<Reply> RoomService::reserveSubscription(const SubscribeRequest& request, Reply reply) {
  auto session = request.session.lock();
  if (!session) return reply;  // the connection is gone: finishSubscribe undoes the join
  auto& local = *shards_[request.shard];
  std::string topic = topicOf(request.kind, request.name);
  size_t held = 0;
  if (auto it = local.bySession.find(session.get()); it != local.bySession.end()) {
    if (it->second.count(topic)) return reply;  // a repeat takes no new place
    held = it->second.size();
  }
  auto& joining = local.joining[request.sessionId];
  if (joining.count(topic)) return reply;
  if (held + joining.size() >= maxSubscriptionsPerConnection_) {
    if (joining.empty()) local.joining.erase(request.sessionId);
    reply(ApiError{ErrorCode::CapExceeded,
                   fmt::format("this connection already holds {} room joins and channel subscriptions, the most it may "
                               "(rooms.max_subscriptions_per_connection); leave a room or unsubscribe a channel first",
                               held + joining.size()),
                   std::nullopt});
    return std::nullopt;
  }
  joining.insert(topic);
  // Answered from any thread: the place goes back on the session's shard, after a success has
  // turned it into a held subscription.
  return Reply([this, shard = request.shard, sessionId = request.sessionId, topic, reply = std::move(reply)](api::Result r) {
    pool_.run(shard, [this, shard, sessionId, topic] { releaseSubscription(shard, sessionId, topic); });
    reply(std::move(r));
  });
}

void RoomService::releaseSubscription(size_t shard, const std::string& sessionId, const std::string& topic) {
  auto& joining = shards_[shard]->joining;
  auto it = joining.find(sessionId);
  if (it == joining.end()) return;
  it->second.erase(topic);
  if (it->second.empty()) joining.erase(it);
}

void RoomService::startRecovery(Stream& s, SubscribeRequest request, Reply reply) {
  auto rec = std::make_shared<Recovery>();
  rec->from = request.since->offset + 1;
  rec->request = std::move(request);
  rec->reply = std::move(reply);
  s.recoveries.push_back(rec);
  std::string topic = topicOf(s.kind, s.name);
  size_t owner = pool_.ownerOf(topic);
  engine::ReadRequest read{topic, rec->from, true, static_cast<uint32_t>(s.head.offset - rec->from + 1)};
  read.maxBytes = 2 * pageBytes_ + 1;  // more is not replayed (below): no need to read it
  engine_.history().read(read, [this, owner, topic, generation = s.generation, rec](engine::Outcome<engine::ReadResult> r) {
    pool_.post(owner, [this, owner, topic, generation, rec, r = std::move(r)]() mutable {
      Stream* s = find(owner, topic, generation);
      if (!s) return rec->reply(ApiError{ErrorCode::NotFound, "the stream was destroyed while joining", std::nullopt});
      std::erase(s->recoveries, rec);
      if (auto* e = std::get_if<engine::EngineError>(&r)) {
        // The join fails: undo the membership it added.
        if (rec->request.member) removeMemberConnection(*s, rec->request.member->userId, rec->request.sessionId);
        return rec->reply(unavailable(*e));
      }
      auto& result = std::get<engine::ReadResult>(r);
      // What the read found up to the owner's head, plus what was fanned out meanwhile.
      std::map<uint64_t, const engine::StreamMessage*> missed;
      for (const auto& m : result.messages) {
        if (m.offset <= s->head.offset) missed.emplace(m.offset, &m);
      }
      for (const auto& m : rec->buffered) missed.emplace(m.offset, &m);
      // The read stopped at its byte budget before the owner's head: too much to replay.
      const bool cut = !result.messages.empty() && result.messages.back().offset < std::min(s->head.offset, result.head.offset);
      bool recovered = !cut && result.head.epoch == rec->request.since->epoch && result.oldest <= rec->from &&
                       (missed.empty() ? rec->from > s->head.offset : missed.begin()->first == rec->from);
      std::vector<std::string> frames;
      std::string event = std::string(eventPrefix(s->kind)) + "message";
      size_t replayBytes = 0;
      for (const auto& [offset, m] : missed) {
        frames.push_back(EventText::stored(event, s->name, *m, s->head.epoch));
        replayBytes += frames.back().size();
      }
      // Replayed at once, more than a quarter of the send queue could overflow it and close the
      // connection (and its every retry): the client reloads with paged history instead.
      if (replayBytes > 2 * pageBytes_) {
        frames.clear();
        recovered = false;
      }
      finishSubscribe(*s, rec->request, std::move(frames), recovered, std::move(rec->reply));
    });
  });
}

void RoomService::finishSubscribe(Stream& s, const SubscribeRequest& request, std::vector<std::string> catchUp,
                                  std::optional<bool> recovered, Reply reply) {
  std::string topic = topicOf(s.kind, s.name);
  size_t owner = pool_.ownerOf(topic);
  pool_.addInterest(topic, request.shard);
  json::value result = joinResult(s, recovered);
  std::string userId = request.member ? request.member->userId : std::string();
  // On the subscriber's shard: missed messages, then the hub subscription, then the reply. When
  // that shard is the owner it runs now: a post would let an append fanned out meanwhile miss it.
  auto task = [this, owner, topic, request, userId, catchUp = std::move(catchUp), result = std::move(result),
               reply = std::move(reply)]() mutable {
    auto session = request.session.lock();
    auto connection = session ? session->connection().lock() : nullptr;
    if (!connection || !connection->open()) {
      // The connection went away while joining: undo the interest and the membership (there is
      // nobody to reply to, so the place counted for this join is given back here).
      releaseSubscription(request.shard, request.sessionId, topic);
      pool_.post(owner, [this, owner, topic, request, userId] {
        pool_.removeInterest(topic, request.shard);
        if (Stream* s = find(owner, topic); s && !userId.empty()) removeMemberConnection(*s, userId, request.sessionId);
      });
      return;
    }
    auto& subscribed = shards_[request.shard]->bySession;
    auto existing = subscribed.find(session.get());
    const bool already = existing != subscribed.end() && existing->second.count(topic);
    // A session already subscribed has had these messages: sending them again would repeat them.
    if (!already) {
      for (auto& text : catchUp) connection->send(net::makeSharedFrame(net::WsCodec::encodeFrame(net::WsOpcode::Text, text)));
    }
    addLocal(request.shard, *session, topic, LocalSub{connection, connection.get(), request.kind, request.name, userId});
    reply(std::move(result));
  };
  if (request.shard == owner) return task();
  pool_.post(request.shard, std::move(task));
}

json::value RoomService::joinResult(Stream& s, std::optional<bool> recovered) const {
  json::object r;
  if (s.kind == Kind::Room) {
    r["room"] = s.name;
    std::optional<uint64_t> next;
    r["members"] = membersPage(s, std::nullopt, kMemberPageDefault, next);
    r["membersCursor"] = memberCursorJson(next);
    r["metadata"] = metadataJson(s);
  } else {
    r["channel"] = s.name;
  }
  r["position"] = positionJson(s.head);
  if (recovered) r["recovered"] = *recovered;
  return r;
}

void RoomService::addLocal(size_t shard, api::ClientSession& session, const std::string& topic, LocalSub sub) {
  auto& local = *shards_[shard];
  auto [sessionIt, firstForSession] = local.bySession.try_emplace(&session);
  if (firstForSession) {
    api::ClientSession* key = &session;
    session.onClosed([this, shard, key] { sessionClosed(shard, key); });
  }
  size_t owner = pool_.ownerOf(topic);
  if (!sessionIt->second.emplace(topic, sub).second) {
    // Already subscribed on this session: give back the interest counted for this call.
    pool_.post(owner, [this, topic, shard] { pool_.removeInterest(topic, shard); });
    return;
  }
  local.byTopic[topic].insert(&session);
  pool_.hub(shard).subscribe(topic, sub.sink);
}

void RoomService::unsubscribe(size_t shard, api::ClientSession& session, Kind kind, const std::string& name, Reply reply) {
  auto& local = *shards_[shard];
  std::string topic = topicOf(kind, name);
  auto sessionIt = local.bySession.find(&session);
  if (sessionIt == local.bySession.end() || !sessionIt->second.count(topic)) return reply(json::object());
  LocalSub sub = sessionIt->second.at(topic);
  sessionIt->second.erase(topic);
  if (auto t = local.byTopic.find(topic); t != local.byTopic.end()) {
    t->second.erase(&session);
    if (t->second.empty()) local.byTopic.erase(t);
  }
  pool_.hub(shard).unsubscribe(topic, sub.sink);
  std::string sessionId = session.sessionId();
  size_t owner = pool_.ownerOf(topic);
  pool_.post(owner, [this, owner, topic, shard, sub, sessionId, reply] {
    pool_.removeInterest(topic, shard);
    if (Stream* s = find(owner, topic); s && sub.kind == Kind::Room && !sub.userId.empty()) {
      removeMemberConnection(*s, sub.userId, sessionId);
    }
    reply(json::object());
  });
}

void RoomService::sessionClosed(size_t shard, api::ClientSession* session) {
  auto& local = *shards_[shard];
  auto it = local.bySession.find(session);
  if (it == local.bySession.end()) return;
  std::vector<std::pair<Kind, std::string>> subs;
  for (const auto& [topic, sub] : it->second) subs.emplace_back(sub.kind, sub.name);
  for (const auto& [kind, name] : subs) unsubscribe(shard, *session, kind, name, [](auto) {});
  local.bySession.erase(session);
}

// ---- members -------------------------------------------------------------------------------

void RoomService::addMemberConnection(Stream& s, const MemberInfo& info, const std::string& connectionKey) {
  auto [it, isNew] = s.members.try_emplace(info.userId);
  Member& m = it->second;
  m.connections.insert(connectionKey);
  if (!isNew) return;
  m.name = info.name;
  m.metadata = info.metadata.is_null() ? json::value(json::object()) : info.metadata;
  m.presence = info.presence;
  m.joinedAtMs = nowMs();
  // Join orders grow across the room's lives (eviction, destroy, restart) because they start
  // from the clock: a members cursor handed out earlier never skips a member who joins later.
  m.order = s.nextMemberOrder = std::max(s.nextMemberOrder + 1, nowMicros());
  s.memberOrder.emplace(m.order, info.userId);
  engine::PresenceEntry entry{info.userId, m.name, json::serialize(m.metadata), json::serialize(m.presence), m.joinedAtMs};
  m.metadataBytes = entry.metadataJson.size();
  m.presenceBytes = entry.presenceJson.size();
  engine_.presence().put(s.name, std::move(entry), [](auto) {});
  // Across nodes, as on one: only a user's first connection announces the join. Presence was
  // listed just before this join (withMembers): a user another node holds is a member already.
  if (heldElsewhere(s, info.userId) || s.leaving.count(info.userId)) return;
  fanOutHereFirst(topicOf(s.kind, s.name), api::Envelope::event("room.memberJoined", s.name, memberJson(info.userId, m)));
}

bool RoomService::heldElsewhere(const Stream& s, const std::string& userId) const {
  if (!multiNode_) return false;
  return std::any_of(s.remote.begin(), s.remote.end(), [&](const auto& entry) { return entry.second.first == userId; });
}

void RoomService::removeMemberConnection(Stream& s, const std::string& userId, const std::string& connectionKey) {
  auto it = s.members.find(userId);
  if (it == s.members.end()) return;
  it->second.connections.erase(connectionKey);
  if (!it->second.connections.empty()) return;
  s.memberOrder.erase(it->second.order);
  s.members.erase(it);
  if (!multiNode_) {
    engine_.presence().remove(s.name, userId, [](auto) {});
    return fanOutHereFirst(topicOf(s.kind, s.name), api::Envelope::event("room.memberLeft", s.name, json::object{{"userId", userId}}));
  }
  // Across nodes, as on one: only a user's last connection announces the leave. Once this
  // node's entry is gone, Presence still lists the user while another node holds a connection.
  const std::string topic = topicOf(s.kind, s.name);
  const size_t owner = pool_.ownerOf(topic);
  ++s.leaving[userId];
  engine_.presence().remove(s.name, userId, [this, owner, topic, room = s.name, userId](auto) {
    pool_.post(owner, [this, owner, topic, room, userId] {
      engine_.presence().list(room, [this, owner, topic, room, userId](engine::Outcome<std::vector<engine::PresenceEntry>> r) {
        pool_.post(owner, [this, owner, topic, room, userId, r = std::move(r)] {
          Stream* s = find(owner, topic);
          if (s) {
            if (auto it = s->leaving.find(userId); it != s->leaving.end() && --it->second <= 0) s->leaving.erase(it);
            if (s->members.count(userId)) return;  // back on this node meanwhile (its join was not announced)
          }
          const auto* entries = std::get_if<std::vector<engine::PresenceEntry>>(&r);
          if (entries && std::any_of(entries->begin(), entries->end(), [&](const auto& e) { return e.userId == userId; })) return;
          fanOutHereFirst(topic, api::Envelope::event("room.memberLeft", room, json::object{{"userId", userId}}));
        });
      });
    });
  });
}

json::value RoomService::memberJson(const std::string& userId, const Member& m) const {
  return json::object{{"userId", userId},
                      {"name", m.name},
                      {"metadata", m.metadata},
                      {"presence", m.presence},
                      {"connections", m.connections.size()},
                      {"joinedAt", util::isoTime(util::SystemTime(std::chrono::milliseconds(m.joinedAtMs)))}};
}

json::array RoomService::membersPage(const Stream& s, std::optional<uint64_t> after, uint32_t limit,
                                     std::optional<uint64_t>& next) const {
  json::array out;
  size_t bytes = 0;
  // This node's members and the other nodes' (s.remote), merged by join order.
  auto local = after ? s.memberOrder.upper_bound(*after) : s.memberOrder.begin();
  auto remote = after ? s.remote.upper_bound(*after) : s.remote.begin();
  std::optional<uint64_t> last;
  while (local != s.memberOrder.end() || remote != s.remote.end()) {
    const bool takeLocal = remote == s.remote.end() || (local != s.memberOrder.end() && local->first < remote->first);
    // A remote member who has since joined here too is listed once, as this node's.
    if (!takeLocal && s.members.count(remote->second.first)) {
      ++remote;
      continue;
    }
    const uint64_t order = takeLocal ? local->first : remote->first;
    const std::string& userId = takeLocal ? local->second : remote->second.first;
    const Member& m = takeLocal ? s.members.at(local->second) : remote->second.second;
    bytes += memberBytes(userId, m.name, m.metadataBytes, m.presenceBytes);
    if (!out.empty() && (out.size() >= limit || bytes > pageBytes_)) {
      next = last;
      break;
    }
    out.push_back(memberJson(userId, m));
    last = order;
    if (takeLocal) ++local;
    else ++remote;
  }
  return out;
}

void RoomService::withMembers(Kind kind, const std::string& name, std::function<void(Stream&)> fn, Reply onError) {
  if (kind != Kind::Room || !multiNode_) return withStream(kind, name, std::move(fn), std::move(onError));
  withStream(
      kind, name,
      [this, fn = std::move(fn), onError](Stream& s) {
        const std::string topic = topicOf(s.kind, s.name);
        const size_t owner = pool_.ownerOf(topic);
        const uint64_t generation = s.generation;
        ++s.inflight;
        engine_.presence().list(s.name, [this, owner, topic, generation, fn, onError](engine::Outcome<std::vector<engine::PresenceEntry>> r) {
          pool_.post(owner, [this, owner, topic, generation, fn, onError, r = std::move(r)] {
            Stream* s = find(owner, topic, generation);
            if (s && s->inflight > 0) --s->inflight;
            if (auto* e = std::get_if<engine::EngineError>(&r)) return onError(unavailable(*e));
            if (!s) return onError(ApiError{ErrorCode::NotFound, describeTopic(topic) + " was destroyed meanwhile", std::nullopt});
            setRemoteMembers(*s, std::get<std::vector<engine::PresenceEntry>>(r));
            fn(*s);
          });
        });
      },
      onError);
}

void RoomService::setRemoteMembers(Stream& s, const std::vector<engine::PresenceEntry>& entries) {
  s.remote.clear();
  for (const auto& e : entries) {
    if (s.members.count(e.userId)) continue;  // connected here too: this node's record is fresher
    Member m;
    m.name = e.name;
    m.metadata = parseStored(e.metadataJson);
    if (m.metadata.is_null()) m.metadata = json::object();
    m.presence = parseStored(e.presenceJson);
    m.joinedAtMs = e.joinedAtMs;
    m.connections.insert("remote");  // counted as one: another node holds its connections
    m.metadataBytes = e.metadataJson.size();
    m.presenceBytes = e.presenceJson.size();
    // Join orders are microseconds (see addMemberConnection); equal ones are made distinct.
    uint64_t order = static_cast<uint64_t>(std::max<int64_t>(e.joinedAtMs, 0)) * 1000;
    while (s.remote.count(order) || s.memberOrder.count(order)) ++order;
    m.order = order;
    s.remote.emplace(order, std::make_pair(e.userId, std::move(m)));
  }
}

std::optional<ApiError> RoomService::memberTooLarge(const std::string& room, const char* what, const json::value& value) const {
  const auto limit = policy_.optionsFor(room).maxMemberBytes;
  const size_t size = json::serialize(value).size();
  if (static_cast<int64_t>(size) <= limit) return std::nullopt;
  return ApiError{ErrorCode::PayloadTooLarge,
                  fmt::format("member {} is {} bytes as JSON; rooms in this namespace allow {} (rooms.max_member_bytes)", what, size, limit),
                  std::nullopt};
}

json::value RoomService::metadataJson(const Stream& s) const {
  return json::object{{"room", s.name},
                      {"metadata", s.metadata},
                      {"version", s.metadataVersion},
                      {"updatedAt", s.metadataUpdatedAtMs ? json::value(util::isoTime(util::SystemTime(std::chrono::milliseconds(s.metadataUpdatedAtMs))))
                                                          : json::value(nullptr)}};
}

void RoomService::members(MembersRequest request, Reply reply) { listMembers(std::move(request), false, std::move(reply)); }

void RoomService::presenceList(MembersRequest request, Reply reply) { listMembers(std::move(request), true, std::move(reply)); }

void RoomService::listMembers(MembersRequest request, bool presenceOnly, Reply reply) {
  auto room = request.room;
  withMembers(
      Kind::Room, room,
      [this, request, presenceOnly, reply](Stream& s) {
        std::optional<uint64_t> next;
        auto after = request.cursor ? std::optional(request.cursor->after) : std::nullopt;
        auto members = membersPage(s, after, request.limit, next);
        if (!presenceOnly) return reply(json::object{{"members", std::move(members)}, {"cursor", memberCursorJson(next)}});
        json::array out;
        for (const auto& m : members) out.push_back(json::object{{"userId", m.at("userId")}, {"presence", m.at("presence")}});
        reply(json::object{{"presence", std::move(out)}, {"cursor", memberCursorJson(next)}});
      },
      reply);
}

void RoomService::setPresence(const std::string& room, const std::string& userId, const std::string& sessionId,
                              json::value presence, Reply reply) {
  if (auto e = memberTooLarge(room, "presence", presence)) return reply(*e);
  withStream(
      Kind::Room, room,
      [this, userId, sessionId, presence = std::move(presence), reply](Stream& s) mutable {
        auto it = s.members.find(userId);
        std::string key = sessionId.empty() ? "server" : sessionId;
        if (it == s.members.end() || !it->second.connections.count(key)) {
          return reply(ApiError{ErrorCode::NotFound, "join room " + s.name + " before setting presence", std::nullopt});
        }
        it->second.presence = presence;
        Member& m = it->second;
        engine::PresenceEntry entry{userId, m.name, json::serialize(m.metadata), json::serialize(m.presence), m.joinedAtMs};
        m.presenceBytes = entry.presenceJson.size();
        engine_.presence().put(s.name, std::move(entry), [](auto) {});
        fanOutHereFirst(topicOf(s.kind, s.name), api::Envelope::event("room.presence", s.name, json::object{{"userId", userId}, {"presence", presence}}));
        reply(json::object());
      },
      reply);
}

void RoomService::serverJoin(const std::string& room, MemberInfo member, Reply reply) {
  if (auto e = memberTooLarge(room, "metadata", member.metadata)) return reply(*e);
  if (auto e = memberTooLarge(room, "presence", member.presence)) return reply(*e);
  withMembers(  // the other nodes' members: a user one of them holds joins without an announcement
      Kind::Room, room,
      [this, member = std::move(member), reply](Stream& s) {
        const auto& opts = policy_.optionsFor(s.name);
        if (!s.members.count(member.userId) && static_cast<int64_t>(s.members.size()) >= opts.maxMembers) {
          return reply(ApiError{ErrorCode::CapExceeded, fmt::format("room {} is full", s.name), std::nullopt});
        }
        addMemberConnection(s, member, "server");
        reply(memberJson(member.userId, s.members.at(member.userId)));
      },
      reply);
}

void RoomService::serverLeave(const std::string& room, const std::string& userId, Reply reply) {
  withStream(
      Kind::Room, room,
      [this, userId, reply](Stream& s) {
        removeMemberConnection(s, userId, "server");
        reply(json::object());
      },
      reply);
}

// ---- metadata, snapshot --------------------------------------------------------------------

void RoomService::metadata(const std::string& room, std::optional<json::value> write, std::optional<uint64_t> version, Reply reply) {
  std::optional<std::string> text;
  if (write) {
    text = json::serialize(*write);
    const auto limit = policy_.optionsFor(room).maxMetadataBytes;
    if (static_cast<int64_t>(text->size()) > limit) {
      return reply(ApiError{ErrorCode::PayloadTooLarge,
                            fmt::format("room metadata is {} bytes as JSON; rooms in this namespace allow {} (rooms.max_metadata_bytes)", text->size(), limit),
                            std::nullopt});
    }
  }
  std::string topic = topicOf(Kind::Room, room);
  size_t owner = pool_.ownerOf(topic);
  withStream(
      Kind::Room, room,
      [this, owner, topic, text = std::move(text), version, reply](Stream& s) {
        if (!text) return reply(metadataJson(s));
        ++s.inflight;
        const uint64_t generation = s.generation;
        engine_.registry().put("meta:" + s.name, *text, version, [this, owner, topic, generation, reply](engine::Outcome<engine::PutResult> r) {
          pool_.post(owner, [this, owner, topic, generation, r = std::move(r), reply] {
            Stream* s = find(owner, topic, generation);
            if (s && s->inflight > 0) --s->inflight;
            if (auto* e = std::get_if<engine::EngineError>(&r)) return reply(unavailable(*e));
            auto result = std::get<engine::PutResult>(r);
            if (!s) return reply(ApiError{ErrorCode::NotFound, "the room was destroyed meanwhile", std::nullopt});
            if (result.conflict) {
              return reply(ApiError{ErrorCode::Conflict, fmt::format("metadata is at version {}; read it and retry", result.record.version), std::nullopt});
            }
            s->metadata = parseStored(result.record.value);
            s->metadataVersion = result.record.version;
            s->metadataUpdatedAtMs = result.record.updatedAtMs;
            auto body = metadataJson(*s);
            json::object event{{"metadata", body.at("metadata")}, {"version", body.at("version")}, {"updatedAt", body.at("updatedAt")}};
            fanOutHereFirst(topic, api::Envelope::event("room.metadata", s->name, event));
            reply(std::move(body));
          });
        });
      },
      reply);
}

void RoomService::snapshot(SnapshotRequest request, Reply reply) {
  std::string topic = topicOf(Kind::Room, request.room);
  size_t owner = pool_.ownerOf(topic);
  auto room = request.room;
  withMembers(
      Kind::Room, room,
      [this, owner, topic, request, reply](Stream& stream) {
        const auto& cursor = request.cursor;
        // The first page reads the newest `limit` messages; a later one goes on where it stopped.
        engine::ReadRequest read{topic, 0, false, request.limit};
        if (cursor) read = {topic, cursor->messagesFrom, false, cursor->messagesLeft};
        read.maxBytes = pageBytes_;  // one page is sent: reading more than it holds is waste
        ++stream.inflight;
        // The room of this read: a destroy and re-creation meanwhile makes another life.
        const uint64_t generation = stream.generation;
        const uint32_t requested = read.limit;
        engine_.history().read(read, [this, owner, topic, generation, cursor, requested, reply](engine::Outcome<engine::ReadResult> r) {
          pool_.post(owner, [this, owner, topic, generation, cursor, requested, reply, r = std::move(r)] {
            Stream* s = find(owner, topic, generation);
            if (s && s->inflight > 0) --s->inflight;
            if (auto* e = std::get_if<engine::EngineError>(&r)) return reply(unavailable(*e));
            const auto& result = std::get<engine::ReadResult>(r);
            if (!s) return reply(ApiError{ErrorCode::NotFound, "the room was destroyed meanwhile", std::nullopt});
            if (cursor && cursor->epoch != s->head.epoch) {
              return reply(ApiError::invalidArgument("cursor belongs to an earlier life of this room (it was destroyed); start again without a cursor"));
            }
            reply(snapshotPage(*s, cursor, result, requested));
          });
        });
      },
      reply);
}

json::value RoomService::snapshotPage(const Stream& s, const std::optional<SnapshotCursor>& cursor, const engine::ReadResult& read,
                                      uint32_t requested) const {
  const auto& newestFirst = read.messages;
  SnapshotCursor next{std::nullopt, 0, 0, s.head.epoch};
  // Messages: only what the owner has fanned out (a later join with since = position then misses
  // nothing), newest first within the page budget, sent oldest first.
  std::vector<const engine::StreamMessage*> wanted;
  for (const auto& m : newestFirst) {
    if (m.offset <= s.head.offset) wanted.push_back(&m);
  }
  size_t taken = 0, bytes = 0;
  for (; taken < wanted.size(); ++taken) {
    bytes += messageBytes(*wanted[taken]);
    if (taken > 0 && bytes > pageBytes_) break;
  }
  // The read stopped at its byte budget with older messages retained: they are still owed.
  const bool truncated = newestFirst.size() < requested && !newestFirst.empty() && newestFirst.back().offset > read.oldest;
  const auto unread = static_cast<uint32_t>(truncated ? requested - newestFirst.size() : 0);
  if (taken < wanted.size()) {
    next.messagesFrom = wanted[taken]->offset;
    next.messagesLeft = static_cast<uint32_t>(wanted.size() - taken) + unread;
  } else if (unread > 0) {
    next.messagesFrom = newestFirst.back().offset - 1;
    next.messagesLeft = unread;
  }
  json::array messages;
  for (size_t i = taken; i-- > 0;) messages.push_back(messageJson(*wanted[i], s.head.epoch));
  // Members: from the first, or after where the previous page stopped (none once they are done).
  json::array members;
  if (!cursor || cursor->membersAfter) {
    members = membersPage(s, cursor ? cursor->membersAfter : std::nullopt, kMemberPageDefault, next.membersAfter);
  }
  const bool more = next.membersAfter || next.messagesLeft > 0;
  return json::object{{"room", s.name},
                      {"members", std::move(members)},
                      {"metadata", metadataJson(s)},
                      {"messages", std::move(messages)},
                      {"position", positionJson(s.head)},
                      {"cursor", more ? json::value(json::string(next.encode())) : json::value(nullptr)}};
}

// ---- destroy, stats ------------------------------------------------------------------------

void RoomService::destroy(Kind kind, const std::string& name, Reply reply) {
  std::string topic = topicOf(kind, name);
  size_t owner = pool_.ownerOf(topic);
  pool_.post(owner, [this, kind, name, topic, owner, reply] {
    std::string event = api::Envelope::event(std::string(eventPrefix(kind)) + "destroyed", name, json::object());
    if (!multiNode_) {
      fanOut(topic, event);
    } else {
      // This node's subscribers hear it now, before the drop below; the other nodes through the
      // broker (tagged: this node skips its own copy), then the notice that makes them drop theirs.
      fanOutHereFirst(topic, event);
      engine_.broker().publish(topic, std::make_shared<const std::string>(destroyedNotice()));
    }
    dropLocal(owner, name, topic);
    if (kind == Kind::Room) {
      engine_.presence().clear(name, [](auto) {});
      engine_.registry().remove("meta:" + name, [](auto) {});
    }
    engine_.history().remove(topic, [reply](engine::Outcome<engine::Done> r) {
      if (auto* e = std::get_if<engine::EngineError>(&r)) return reply(unavailable(*e));
      reply(json::object());
    });
  });
}

// A destroy's notice to the other nodes: NUL (no WebSocket frame starts with it), then the
// destroying node's id, so that node skips its own notice.
std::string RoomService::destroyedNotice() const { return std::string("\0destroyed\0", 11) + engine_.nodes().selfId(); }

// On the owner: the local part of a destroy. Every shard drops its subscriptions to the stream
// after delivering the destroyed event, and gives back the interest each held (a leave racing
// the drop finds nothing and gives back nothing); the stream's state goes.
void RoomService::dropLocal(size_t owner, const std::string& name, const std::string& topic) {
  for (size_t shard = 0; shard < pool_.size(); ++shard) {
    pool_.post(shard, [this, shard, owner, topic] {
      auto& local = *shards_[shard];
      auto t = local.byTopic.find(topic);
      if (t == local.byTopic.end()) return;
      size_t dropped = 0;
      for (auto* session : t->second) {
        if (auto it = local.bySession.find(session); it != local.bySession.end()) dropped += it->second.erase(topic);
      }
      local.byTopic.erase(t);
      pool_.hub(shard).drop(topic);
      pool_.post(owner, [this, topic, shard, dropped] {
        for (size_t i = 0; i < dropped; ++i) pool_.removeInterest(topic, shard);
      });
    });
  }
  if (Stream* s = find(owner, topic)) {
    // This node's presence entries go too (a destroy heard from another node cleared Redis, and
    // the presence refresh would otherwise write them back).
    for (const auto& [userId, member] : s->members) engine_.presence().remove(name, userId, [](auto) {});
    for (auto& waitingReply : s->waitingErrors) waitingReply(ApiError{ErrorCode::NotFound, name + " was destroyed", std::nullopt});
    for (auto& [fn, waitingReply] : s->afterCatchUp) waitingReply(ApiError{ErrorCode::NotFound, name + " was destroyed", std::nullopt});
  }
  forget(owner, topic);
}

void RoomService::channelStats(const std::string& channel, Reply reply) {
  std::string topic = topicOf(Kind::Channel, channel);
  size_t owner = pool_.ownerOf(topic);
  engine_.history().read({topic, 0, false, 0}, [this, owner, topic, channel, reply](engine::Outcome<engine::ReadResult> r) {
    if (auto* e = std::get_if<engine::EngineError>(&r)) return reply(unavailable(*e));
    auto result = std::get<engine::ReadResult>(r);
    pool_.post(owner, [this, topic, channel, reply, result] {
      uint64_t retained = result.head.offset >= result.oldest ? result.head.offset - result.oldest + 1 : 0;
      reply(json::object{{"channel", channel},
                         {"subscribers", pool_.subscriptions(topic)},
                         {"messages", retained},
                         {"position", positionJson(result.head)}});
    });
  });
}

void RoomService::stats(Reply reply, StatsScope scope) {
  struct Totals {
    std::mutex mutex;
    size_t pending;
    uint64_t rooms = 0, channels = 0, members = 0, connections = 0, stored = 0, delivered = 0;
  };
  // Another node's totals come from its record: a field missing or unreadable counts 0.
  auto count = [](const json::object& totals, std::string_view key, std::string_view inner = {}) -> uint64_t {
    const json::value* v = totals.if_contains(key);
    if (v && !inner.empty()) v = v->is_object() ? v->as_object().if_contains(inner) : nullptr;
    boost::system::error_code ec;
    uint64_t n = v ? v->to_number<uint64_t>(ec) : 0;
    return ec ? 0 : n;
  };
  // This node's totals are fresh; the other live nodes' are their last announcement.
  auto acrossNodes = [this, count, reply](json::object local) {
    engine_.nodes().list([this, count, reply, local](engine::Outcome<std::vector<engine::NodeRecord>> r) {
      if (auto* e = std::get_if<engine::EngineError>(&r)) return reply(unavailable(*e));
      auto records = std::get<std::vector<engine::NodeRecord>>(std::move(r));
      const std::string& self = engine_.nodes().selfId();
      if (std::none_of(records.begin(), records.end(), [&](const auto& n) { return n.id == self; })) {
        records.insert(records.begin(), engine::NodeRecord{self, "", 0, "{}"});  // not announced yet
      }
      uint64_t sums[6] = {};
      json::array nodes;
      for (const auto& record : records) {
        json::object totals = local;
        if (record.id != self) {
          boost::system::error_code ec;
          json::value parsed = json::parse(record.statsJson, ec);
          totals = !ec && parsed.is_object() ? parsed.as_object() : json::object();
        }
        uint64_t values[6] = {count(totals, "rooms"), count(totals, "channels"), count(totals, "members"),
                              count(totals, "connections"), count(totals, "messages", "stored"),
                              count(totals, "messages", "delivered")};
        for (int i = 0; i < 6; ++i) sums[i] += values[i];
        json::value started = nullptr;
        if (record.startedAtMs > 0) started = json::string(util::isoTime(util::SystemTime(std::chrono::milliseconds(record.startedAtMs))));
        nodes.push_back(json::object{{"id", record.id},
                                     {"address", record.address.empty() ? json::value(nullptr) : json::value(record.address)},
                                     {"startedAt", std::move(started)},
                                     {"rooms", values[0]},
                                     {"channels", values[1]},
                                     {"members", values[2]},
                                     {"connections", values[3]},
                                     {"messages", json::object{{"stored", values[4]}, {"delivered", values[5]}}}});
      }
      reply(json::object{{"rooms", sums[0]},
                         {"channels", sums[1]},
                         {"members", sums[2]},
                         {"connections", sums[3]},
                         {"messages", json::object{{"stored", sums[4]}, {"delivered", sums[5]}}},
                         {"nodes", std::move(nodes)}});
    });
  };
  auto totals = std::make_shared<Totals>();
  totals->pending = pool_.size();
  for (size_t shard = 0; shard < pool_.size(); ++shard) {
    pool_.post(shard, [this, shard, totals, reply, scope, acrossNodes] {
      auto& sh = *shards_[shard];
      std::unique_lock lock(totals->mutex);
      for (const auto& [topic, s] : sh.streams) {
        (s.kind == Kind::Room ? totals->rooms : totals->channels) += 1;
        totals->members += s.members.size();
      }
      totals->connections += pool_.loop(shard).connectionCount();
      totals->stored += sh.stored;
      totals->delivered += sh.delivered;
      if (--totals->pending > 0) return;
      lock.unlock();  // the last shard: the others are done with `totals`
      json::object local{{"rooms", totals->rooms},
                         {"channels", totals->channels},
                         {"members", totals->members},
                         {"connections", totals->connections},
                         {"messages", json::object{{"stored", totals->stored}, {"delivered", totals->delivered}}}};
      if (scope == StatsScope::ThisNode) return reply(std::move(local));
      acrossNodes(std::move(local));
    });
  }
}

}  // namespace onair::rooms
