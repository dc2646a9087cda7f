#include "live/LiveService.hpp"

#include "live/AttachId.hpp"
#include "live/RelayPacket.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/container/small_vector.hpp>
#include <boost/json.hpp>
#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <mutex>
#include <unordered_map>

#include "api/ClientSession.hpp"
#include "api/BinaryFrame.hpp"
#include "api/Envelope.hpp"
#include "net/WsConnection.hpp"
#include "net/WsCodec.hpp"
#include "util/Base64Url.hpp"
#include "util/Random.hpp"
#include "util/SwapErase.hpp"
#include "util/Time.hpp"

namespace onair::live {

using api::ApiError;
using api::ErrorCode;
namespace json = boost::json;

// Slots are keyed by AttachId::key (the random part), in Entry::slots, tombstones and leases;
// the whole attach id is that key and the liveId (AttachId::join). What a heartbeat or release
// reads comes first, next to the key.
struct LiveService::Slot {
  std::string userId;
  int64_t expiresAtMs = 0;
  std::string capKey;
  std::string_view transportKind;  // one of kTransportKinds (static)
  size_t shard = 0;
  std::weak_ptr<api::ClientSession> session;
};

// A live entry. Ended ones are erased at once (their liveId answers not_found like one never
// published); lapsed ones leave only a tombstone in Shard::expiredEntries.
struct LiveService::Entry {
  const KindOptions* kind = nullptr;  // its kind's options (options_ outlive every entry)
  std::string owner;                  // the publishing user; empty: the server API published it
  json::array transports;             // at most one per transport kind
  std::vector<std::string> transportTexts;  // each of transports as JSON, written once per publish
  std::optional<std::string> widgetId;
  std::string metaJson;
  int64_t expiresAtMs = 0;
  // Multi-node engines: a mirror is this node's copy of an entry another node publishes (read
  // from the Registry for an attach here), checked against the record every kMirrorCheck.
  bool mirror = false;
  std::string node;  // the node whose record this entry follows (its own: this node)
  int64_t checkedAtMs = 0;
  bool checking = false;
  boost::unordered_flat_map<std::string, Slot> slots;  // by AttachId::key: inline, one probe per lookup
  bool viewersDirty = false;
  int64_t lastViewersMs = 0;
  // Portal relay: the connections of relay viewers on this (the owner's) shard, which get chunks
  // straight from relay() — no hub topic, no interest count per attach and release; viewers on
  // other shards subscribe to "lr:<liveId>" through the hub. What a late joiner needs to start
  // at once:
  boost::unordered_flat_set<net::FrameSink*> localRelay;
  net::SharedFrame relayInit;
  std::vector<net::SharedFrame> relaySinceKey;
  size_t relaySinceKeyBytes = 0;
  // Portal relay across nodes. Producer side: the nodes listening to "lc:r:<liveId>".
  boost::unordered_flat_set<std::string> relayNodes;
  // Mirror side: this node's portal-relay slots on the mirror; while there are some, the node
  // listens to "lc:r:<liveId>" and its producer's node publishes each chunk there once.
  uint32_t remoteRelaySlots = 0;
  bool relayListening = false;   // subscribe() called and not failed
  bool relaySubscribed = false;  // ... and confirmed
  uint64_t relayGeneration = 0;
  bool awaitingCatchUp = false;  // asked for the producer's catch-up, not received yet
  int64_t catchUpAskedAtMs = 0;
  // Relay attaches answered once the catch-up is here (so their starter holds the init chunk).
  std::vector<std::pair<std::shared_ptr<Attaching>, api::JsonText>> relayWaiting;
  int64_t relayWaitingSinceMs = 0;
};

struct LiveService::Shard {
  struct RelaySub {
    std::string liveId;
    net::FrameSink* sink = nullptr;
    uint32_t slots = 0;
    bool local = false;  // in the entry's localRelay (this shard owns the broadcast), else the hub
  };
  // Consumer side: this shard's sessions' relay subscriptions. A session watches a few
  // broadcasts (its slots are capped): kept inline in the session's element and scanned, so a
  // relay attach or release touches one element instead of a second table per session.
  boost::unordered_flat_map<api::ClientSession*, boost::container::small_vector<RelaySub, 2>> relaySubs;
  // Consumer side: this shard's sessions' webrtc slots (slot key, the room its transport names).
  struct WebrtcSlot {
    std::string slotKey;
    std::string roomId;
    std::string producer;  // the broadcast's publishing user; empty: the server API
  };
  boost::unordered_flat_map<api::ClientSession*, boost::container::small_vector<WebrtcSlot, 1>> webrtcSlots;
  std::unordered_map<std::string, Entry> entries;  // live ones only
  // Tombstones of lapsed entries: liveId → remembered until (attaches answer expired, not not_found).
  boost::unordered_flat_map<std::string, int64_t> expiredEntries;
  size_t relayCacheBytes = 0;  // catch-up chunks held by this shard's entries
  boost::unordered_flat_map<std::string, int64_t> expiredSlots;  // slot key → remembered until
  uint64_t relayGenerations = 0;
  std::unique_ptr<boost::asio::steady_timer> timer;
};

namespace {

constexpr auto kSweepEvery = std::chrono::milliseconds(250);
constexpr int64_t kMirrorCheckMs = 1000;
constexpr int64_t kCatchUpWaitMs = 3000;  // relay attaches wait this long at most for a catch-up
std::string relayTopic(const std::string& liveId) { return "lc:r:" + liveId; }

std::string recordKey(const std::string& liveId) { return "live:" + liveId; }
constexpr size_t kMaxSinceKeyBytes = 16 << 20;        // past this, late joiners wait for the next key
constexpr size_t kMaxRelayCacheBytes = 256 << 20;     // all catch-up chunks of one shard's broadcasts

size_t cacheBytes(const net::SharedFrame& init, size_t sinceKeyBytes) { return (init ? init->size() : 0) + sinceKeyBytes; }
const std::vector<std::string> kDefaultPreferences = {"iframe-url", "portal-relay", "webrtc"};
constexpr std::string_view kPortalRelay = "portal-relay";
constexpr std::string_view kWebrtc = "webrtc";
constexpr std::string_view kTransportKinds[] = {"iframe-url", kPortalRelay, kWebrtc};

// The static name of a transport kind (checkTransports admits only these).
std::string_view canonicalTransport(std::string_view kind) {
  for (std::string_view k : kTransportKinds) {
    if (k == kind) return k;
  }
  return kTransportKinds[0];
}

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void appendIso(std::string& out, int64_t ms) { util::appendIsoTime(out, util::SystemTime(std::chrono::milliseconds(ms))); }

std::string kindOf(const std::string& liveId) { return liveId.substr(0, liveId.find(':')); }

// {"ok":true,"expiresAt":"<iso>"}, written as text (no DOM for the hottest replies).
api::JsonText okUntil(int64_t ms) {
  api::JsonText out;
  out.text.reserve(48);
  out.text.append(R"({"ok":true,"expiresAt":")");
  appendIso(out.text, ms);
  out.text.append("\"}");
  return out;
}

ApiError unavailable(const engine::EngineError& e) {
  return {ErrorCode::ServiceUnavailable, "leases are unavailable: " + e.message, e.retryAfterMs};
}

}  // namespace

LiveService::LiveService(hub::ShardPool& pool, engine::Engine& engine, LiveOptions options)
    : pool_(pool), engine_(engine), options_(std::move(options)), multiNode_(engine.name() != "embedded") {
  if (multiNode_) {
    self_ = engine_.nodes().selfId();
    engine_.broker().setTopicHandler("lc:", [this](const std::string& topic, const engine::Broker::Payload& payload) { onBroker(topic, payload); });
    // Chunks may have been missed while cut off: each listening mirror asks for a catch-up again.
    engine_.broker().addResyncHandler([this] {
      for (size_t i = 0; i < pool_.size(); ++i) {
        pool_.post(i, [this, i] {
          for (auto& [liveId, entry] : shards_[i]->entries) {
            if (entry.mirror && entry.relaySubscribed) askCatchUp(liveId, entry);
          }
        });
      }
    });
  }
  for (size_t i = 0; i < pool_.size(); ++i) {
    auto shard = std::make_unique<Shard>();
    shard->timer = std::make_unique<boost::asio::steady_timer>(pool_.loop(i).io());
    shards_.push_back(std::move(shard));
    arm(i);
  }
}

LiveService::~LiveService() {
  for (auto& s : shards_) s->timer->cancel();
}

// The owner of the topic "lp:<liveId>", which is the owner of liveId itself (ShardPool::ownerOf).
size_t LiveService::ownerOf(const std::string& liveId) const { return pool_.ownerOfName(liveId); }

std::optional<std::string> LiveService::liveIdOfAttach(const std::string& attachId) { return AttachId::liveIdOf(attachId); }

std::optional<ApiError> LiveService::checkLiveId(const std::string& liveId) const {
  auto colon = liveId.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == liveId.size() || liveId.size() > 255) {
    return ApiError::invalidArgument("liveId must be <kind>:<id>, at most 255 bytes");
  }
  if (!options_.kinds.count(kindOf(liveId))) {
    return ApiError{ErrorCode::UnsupportedKind, "no broadcast kind '" + kindOf(liveId) + "' is registered (config [live.kinds])", std::nullopt};
  }
  return std::nullopt;
}

std::optional<ApiError> LiveService::checkTransports(const std::string& liveId, const json::value& transports,
                                                     json::array& out) const {
  const auto& kind = options_.kinds.at(kindOf(liveId));
  if (!transports.is_array() || transports.as_array().empty()) return ApiError::invalidArgument("transports must be a non-empty array");
  // One descriptor per transport kind, so an entry holds a few KiB at most.
  if (transports.as_array().size() > std::size(kTransportKinds)) {
    return ApiError::invalidArgument(fmt::format("transports has {} entries; offer at most one of each kind (iframe-url, portal-relay, webrtc)",
                                                 transports.as_array().size()));
  }
  for (size_t i = 0; i < transports.as_array().size(); ++i) {
    const auto& t = transports.as_array()[i];
    std::string field = "transports[" + std::to_string(i) + "]";
    const auto* o = t.if_object();
    const auto* k = o ? o->if_contains("kind") : nullptr;
    if (!k || !k->is_string()) return ApiError::invalidArgument(field + ".kind is required");
    std::string name(k->as_string());
    if (name != "iframe-url" && name != "portal-relay" && name != "webrtc") {
      return ApiError::invalidArgument(field + ".kind must be iframe-url, portal-relay or webrtc");
    }
    for (const auto& earlier : out) {
      if (earlier.as_object().at("kind").as_string() == name) return ApiError::invalidArgument(field + ".kind " + name + " is offered twice; offer each kind once");
    }
    if (!kind.transports.count(name)) {
      return ApiError{ErrorCode::UnsupportedTransport, "kind " + kindOf(liveId) + " does not allow transport " + name, std::nullopt};
    }
    json::object d{{"kind", name}};
    if (name == "iframe-url") {
      const auto* url = o->if_contains("url");
      if (!url || !url->is_string() || url->as_string().size() > 2048) return ApiError::invalidArgument(field + ".url is required (a string up to 2048 bytes)");
      std::string_view u = url->as_string();
      if (u.rfind("https://", 0) != 0 && u.rfind("http://", 0) != 0) return ApiError::invalidArgument(field + ".url must be http: or https:");
      d["url"] = u;
      if (const auto* allow = o->if_contains("allow")) {
        if (!allow->is_string() || allow->as_string().size() > 512) return ApiError::invalidArgument(field + ".allow must be a string");
        d["allow"] = *allow;
      }
    } else if (name == "webrtc") {
      const auto* sig = o->if_contains("signalingChannelId");
      if (!sig || !sig->is_string() || sig->as_string().empty() || sig->as_string().size() > 255) {
        return ApiError::invalidArgument(field + ".signalingChannelId is required");
      }
      d["signalingChannelId"] = *sig;
    }
    out.push_back(std::move(d));
  }
  return std::nullopt;
}

const json::value* LiveService::negotiate(const json::array& transports, const std::vector<std::string>& preferences) {
  const auto& order = preferences.empty() ? kDefaultPreferences : preferences;
  for (const auto& want : order) {
    for (const auto& t : transports) {
      if (t.as_object().at("kind").as_string() == want) return &t;
    }
  }
  return nullptr;
}

// ---- producer side -------------------------------------------------------------------------

namespace {

ApiError notOwner(const std::string& liveId, const std::string& owner) {
  if (owner.empty()) return {ErrorCode::Permission, liveId + " was published through the server API; only the server API may change or end it", std::nullopt};
  return {ErrorCode::Permission, liveId + " is being broadcast by another user; it can be published again once it ends", std::nullopt};
}

}  // namespace

// A user's publish of a new entry, shared by the steps of claimEntry.
struct LiveService::Publishing {
  PublishRequest request;
  Reply reply;
};

LiveService::Entry* LiveService::findLive(size_t owner, const std::string& liveId) {
  auto& entries = shards_[owner]->entries;
  auto it = entries.find(liveId);
  if (it == entries.end()) return nullptr;
  if (nowMs() < it->second.expiresAtMs) return &it->second;
  endEntry(owner, it->second, it->first, "live.expired");  // lapsed; the sweep has not come by yet
  entries.erase(it);
  return nullptr;
}

void LiveService::offer(Entry& entry, PublishRequest& request) const {
  entry.transports = std::move(request.transports);
  entry.transportTexts.clear();
  for (const auto& t : entry.transports) entry.transportTexts.push_back(json::serialize(t));
  entry.widgetId = std::move(request.widgetId);
  entry.metaJson = std::move(request.metaJson);
  entry.expiresAtMs = request.expiresAtMs.value_or(nowMs() + entry.kind->publishTtlSeconds * 1000);
  entry.viewersDirty = true;
}

// Owner check first: a live entry is refreshed by its owner (or the server API) only; a user's
// new entry counts against live.max_entries_per_user.
void LiveService::publish(PublishRequest request, Reply reply) {
  size_t owner = ownerOf(request.liveId);
  pool_.run(owner, [this, owner, request = std::move(request), reply = std::move(reply)]() mutable {
    Entry* entry = findLive(owner, request.liveId);
    if (entry && !request.userId.empty() && entry->owner != request.userId) return reply(notOwner(request.liveId, entry->owner));
    if (entry) {
      offer(*entry, request);
      // The producer publishes here now (its node went away): this node shares it. A server-API
      // refresh that lands here leaves a mirror one.
      if (!request.userId.empty()) ownEntry(request.liveId, *entry);
      // The owner's place lasts as long as the entry (the server API may have moved expiresAt).
      if (!entry->owner.empty()) {
        engine_.leases().renew(entriesKey(entry->owner), request.liveId, entry->expiresAtMs - nowMs(), [](auto) {});
      }
      return share(request.liveId, *entry, reply);
    }
    if (request.userId.empty()) return openEntry(owner, request, reply);
    claimEntry(owner, std::make_shared<Publishing>(Publishing{std::move(request), std::move(reply)}));
  });
}

// The lease is keyed by liveId in the user's set, held until the entry ends. Meanwhile another
// publish may have opened the entry: the user's own keeps the lease, anyone else's wins.
void LiveService::claimEntry(size_t owner, const std::shared_ptr<Publishing>& p) {
  const auto& request = p->request;
  const int64_t ttlMs = request.expiresAtMs ? *request.expiresAtMs - nowMs() : options_.kinds.at(kindOf(request.liveId)).publishTtlSeconds * 1000;
  const uint32_t cap = options_.maxEntriesPerUser;
  engine_.leases().acquire(entriesKey(request.userId), request.liveId, cap, ttlMs, [this, owner, cap, p](engine::Outcome<engine::SlotGrant> r) {
    pool_.run(owner, [this, owner, cap, p, r = std::move(r)] {
      auto& request = p->request;
      if (auto* e = std::get_if<engine::EngineError>(&r)) return p->reply(unavailable(*e));
      const auto& grant = std::get<engine::SlotGrant>(r);
      if (!grant.granted) {
        return p->reply(ApiError{ErrorCode::CapExceeded,
                                 fmt::format("you already publish {} of {} broadcasts allowed per user (live.max_entries_per_user); unpublish one and retry",
                                             grant.count, cap),
                                 std::nullopt});
      }
      Entry* entry = findLive(owner, request.liveId);
      if (!entry) return openEntry(owner, request, p->reply);
      if (entry->owner != request.userId) {
        engine_.leases().release(entriesKey(request.userId), request.liveId, [](auto) {});
        return p->reply(notOwner(request.liveId, entry->owner));
      }
      offer(*entry, request);
      ownEntry(request.liveId, *entry);
      share(request.liveId, *entry, p->reply);
    });
  });
}

void LiveService::openEntry(size_t owner, PublishRequest& request, Reply& reply) {
  auto& shard = *shards_[owner];
  shard.expiredEntries.erase(request.liveId);  // a new life after a tombstone
  auto& entry = shard.entries[request.liveId];
  entry.kind = &options_.kinds.at(kindOf(request.liveId));
  entry.owner = request.userId;
  entry.node = self_;
  offer(entry, request);
  share(request.liveId, entry, reply);
}

// Multi-node engines: the entry's offer goes to the Registry before the publish is answered, so
// an attach on any node right after the answer finds it.
void LiveService::share(const std::string& liveId, const Entry& entry, const Reply& reply) {
  if (!multiNode_ || entry.mirror) return reply(okUntil(entry.expiresAtMs));
  json::object record{{"node", engine_.nodes().selfId()},
                      {"owner", entry.owner},
                      {"transports", entry.transports},
                      {"widgetId", entry.widgetId ? json::value(*entry.widgetId) : json::value(nullptr)},
                      {"meta", entry.metaJson},
                      {"expiresAtMs", entry.expiresAtMs}};
  engine_.registry().put(recordKey(liveId), json::serialize(record), std::nullopt,
                         [reply, expiresAtMs = entry.expiresAtMs](engine::Outcome<engine::PutResult> r) {
                           if (auto* e = std::get_if<engine::EngineError>(&r)) return reply(unavailable(*e));
                           reply(okUntil(expiresAtMs));
                         });
}

void LiveService::unpublish(const std::string& liveId, std::string userId, Reply reply) {
  size_t owner = ownerOf(liveId);
  pool_.run(owner, [this, owner, liveId, userId = std::move(userId), reply = std::move(reply)] {
    auto& entries = shards_[owner]->entries;
    auto it = entries.find(liveId);
    // Multi-node: a mirror, or no entry here: the record says who publishes it.
    if (multiNode_ && (it == entries.end() || it->second.mirror)) return unpublishShared(owner, liveId, std::move(userId), std::move(reply));
    if (it != entries.end()) {
      // A lapsed entry has ended already: anyone may clear it.
      const bool lapsed = nowMs() >= it->second.expiresAtMs;
      if (!lapsed && !userId.empty() && it->second.owner != userId) return reply(notOwner(liveId, it->second.owner));
      endEntry(owner, it->second, it->first, "live.ended");
      entries.erase(it);
    }
    reply(api::JsonText{R"({"ok":true})"});
  });
}

// Tells each attached consumer, frees the slots and the owner's place, sends the producer a last
// viewer count (now, since no sweep will), and remembers a lapsed entry as a tombstone.
void LiveService::endEntry(size_t owner, Entry& entry, const std::string& liveId, const char* event) {
  const bool expired = std::string_view(event) == "live.expired";
  const int64_t until = nowMs() + options_.tombstoneSeconds * 1000;
  flushRelayWaiting(owner, entry);  // their handles go out before the end
  for (auto& [key, slot] : entry.slots) {
    notifySlot(slot, event, AttachId::join(key, liveId), liveId);
    dropSlot(entry, liveId, key, slot);
    if (expired) shards_[owner]->expiredSlots[key] = until;
  }
  entry.slots.clear();
  shards_[owner]->relayCacheBytes -= cacheBytes(entry.relayInit, entry.relaySinceKeyBytes);
  if (!multiNode_ && !entry.owner.empty()) engine_.leases().release(entriesKey(entry.owner), liveId, [](auto) {});
  if (multiNode_ && !entry.mirror) removeShared(liveId, entry.owner, expired);
  sendViewers(owner, liveId, entry);
  auto& tombstones = shards_[owner]->expiredEntries;
  if (expired && tombstones.size() < options_.maxTombstonesPerShard) tombstones[liveId] = until;
}

void LiveService::notifySlot(const Slot& slot, const char* event, const std::string& attachId, const std::string& liveId) {
  std::string text = api::Envelope::event(event, attachId, json::object{{"attachId", attachId}, {"liveId", liveId}});
  pool_.post(slot.shard, [session = slot.session, text = std::move(text)] {
    if (auto s = session.lock()) s->sendText(text);
  });
}

// At most one live.viewers per interval per broadcast: counts are coalesced by the sweep.
void LiveService::sendViewers(size_t owner, const std::string& liveId, Entry& entry) {
  json::object byTransport;
  for (const auto& [id, slot] : entry.slots) {
    auto& n = byTransport[slot.transportKind];
    n = n.is_int64() ? n.as_int64() + 1 : 1;
  }
  std::string text = api::Envelope::event("live.viewers", liveId,
                                          json::object{{"liveId", liveId}, {"total", entry.slots.size()}, {"byTransport", byTransport}});
  pool_.publish("lp:" + liveId, net::makeSharedFrame(net::WsCodec::encodeFrame(net::WsOpcode::Text, text)));
  entry.viewersDirty = false;
  entry.lastViewersMs = nowMs();
}

// ---- consumer side -------------------------------------------------------------------------

// An attach in flight: made once and shared by the steps below (rate window, owner, lease,
// viewer's shard), which would otherwise each copy the request and the reply.
// Completions capture only the shared pointer (16 bytes: std::function keeps it inline).
struct LiveService::Attaching {
  LiveService* service = nullptr;
  AttachRequest request;
  Reply reply;
  const KindOptions* kind = nullptr;  // options_ outlive every attach
  size_t owner = 0;
  std::string capKey;
  std::string attachId;
  std::string slotKey;  // AttachId::key(attachId)
  std::string transportKind;
  std::string transportJson;  // the negotiated descriptor, as the handle carries it
  std::string signalingRoom;  // webrtc: the stream room the descriptor names
  bool mirrorLooked = false;  // multi-node: the Registry was asked for another node's entry
};

// An entry's offer as another node shared it (LiveService::share); nullopt when malformed.
struct LiveService::SharedOffer {
  std::string node;
  std::string owner;
  json::array transports;
  std::optional<std::string> widgetId;
  std::string metaJson;
  int64_t expiresAtMs = 0;
};

std::optional<LiveService::SharedOffer> LiveService::parseOffer(const std::string& text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  const auto* o = ec ? nullptr : v.if_object();
  if (!o) return std::nullopt;
  const auto* owner = o->if_contains("owner");
  const auto* transports = o->if_contains("transports");
  const auto* meta = o->if_contains("meta");
  const auto* expires = o->if_contains("expiresAtMs");
  const auto* widget = o->if_contains("widgetId");
  if (!owner || !owner->is_string() || !transports || !transports->is_array() || !meta || !meta->is_string() || !expires ||
      !expires->is_int64()) {
    return std::nullopt;
  }
  SharedOffer offer{"", std::string(owner->as_string()), transports->as_array(), std::nullopt, std::string(meta->as_string()), expires->as_int64()};
  if (const auto* node = o->if_contains("node"); node && node->is_string()) offer.node = std::string(node->as_string());
  if (widget && widget->is_string()) offer.widgetId = std::string(widget->as_string());
  for (const auto& t : offer.transports) {
    const auto* to = t.if_object();
    const auto* kind = to ? to->if_contains("kind") : nullptr;
    if (!kind || !kind->is_string()) return std::nullopt;
  }
  return offer;
}

// No entry on this node: another node may publish it (multi-node engines). Its shared offer
// becomes a mirror entry here, and the attach goes on against it.
void LiveService::findMirror(const std::shared_ptr<Attaching>& at) {
  at->mirrorLooked = true;
  engine_.registry().get(recordKey(at->request.liveId), [at](engine::Outcome<std::optional<engine::Record>> r) {
    at->service->pool_.run(at->owner, [at, r = std::move(r)] {
      auto* self = at->service;
      if (auto* e = std::get_if<engine::EngineError>(&r)) return at->reply(unavailable(*e));
      const auto& record = std::get<std::optional<engine::Record>>(r);
      auto offer = record ? parseOffer(record->value) : std::nullopt;
      // A lapsed broadcast's record stays while its tombstone lasts: `expired` here too.
      const int64_t now = nowMs();
      if (offer && now >= offer->expiresAtMs && now < offer->expiresAtMs + self->options_.tombstoneSeconds * 1000) {
        self->shards_[at->owner]->expiredEntries.try_emplace(at->request.liveId, offer->expiresAtMs + self->options_.tombstoneSeconds * 1000);
      }
      if (offer && now < offer->expiresAtMs && !self->findLive(at->owner, at->request.liveId)) {
        auto& entry = self->shards_[at->owner]->entries[at->request.liveId];
        entry.kind = at->kind;
        entry.mirror = true;
        self->applyOffer(entry, std::move(*offer));
      }
      self->claimSlot(at);
    });
  });
}

// The shared offer goes with the entry, unless another node shares it now (the producer moved):
// that node's record stays. The removal is a compare-and-delete on the version read, so a record
// another node wrote after the read is not removed either.
void LiveService::removeShared(const std::string& liveId, const std::string& owner, bool keepRecord) {
  engine_.registry().get(recordKey(liveId), [this, liveId, owner, keepRecord](engine::Outcome<std::optional<engine::Record>> r) {
    const auto* record = std::get_if<std::optional<engine::Record>>(&r);
    if (!record) return;
    if (*record) {
      boost::system::error_code ec;
      auto v = json::parse((*record)->value, ec);
      const auto* node = ec || !v.is_object() ? nullptr : v.as_object().if_contains("node");
      if (node && node->is_string() && node->as_string() != self_) return;
    }
    // This node held the user's place (or nobody shares it any more): it gives it back once.
    if (!owner.empty()) engine_.leases().release(entriesKey(owner), liveId, [](auto) {});
    if (*record && !keepRecord) engine_.registry().removeIf(recordKey(liveId), (*record)->version, [](auto) {});
  });
}

void LiveService::applyOffer(Entry& entry, SharedOffer offer) {
  entry.node = std::move(offer.node);
  entry.owner = std::move(offer.owner);
  entry.transports = std::move(offer.transports);
  entry.transportTexts.clear();
  for (const auto& t : entry.transports) entry.transportTexts.push_back(json::serialize(t));
  entry.widgetId = std::move(offer.widgetId);
  entry.metaJson = std::move(offer.metaJson);
  entry.expiresAtMs = offer.expiresAtMs;
  entry.checkedAtMs = nowMs();
}

// A mirror follows its record: a refresh moves its expiry, an end (record gone) ends it here.
void LiveService::checkMirror(size_t owner, const std::string& liveId, Entry& entry) {
  entry.checking = true;
  engine_.registry().get(recordKey(liveId), [this, owner, liveId](engine::Outcome<std::optional<engine::Record>> r) {
    pool_.run(owner, [this, owner, liveId, r = std::move(r)] {
      auto& entries = shards_[owner]->entries;
      auto it = entries.find(liveId);
      if (it == entries.end() || !it->second.mirror) return;
      Entry& entry = it->second;
      entry.checking = false;
      if (std::holds_alternative<engine::EngineError>(r)) return;  // asked again next time
      const auto& record = std::get<std::optional<engine::Record>>(r);
      auto offer = record ? parseOffer(record->value) : std::nullopt;
      if (!offer) {
        endEntry(owner, entry, liveId, "live.ended");
        entries.erase(it);
        return;
      }
      const bool moved = offer->node != entry.node;
      applyOffer(entry, std::move(*offer));
      // The producer publishes from another node now: its chunks come from there.
      if (moved && entry.relaySubscribed) askCatchUp(liveId, entry);
    });
  });
}

void LiveService::attach(AttachRequest request, Reply reply) {
  auto at = std::make_shared<Attaching>();
  at->service = this;
  at->kind = &options_.kinds.at(kindOf(request.liveId));
  at->request = std::move(request);
  at->reply = std::move(reply);
  at->owner = ownerOf(at->request.liveId);
  engine_.leases().hit("attach:" + at->request.userId, at->kind->attachRatePerMinute, 60000, [at](engine::Outcome<engine::RateResult> r) {
    if (auto* e = std::get_if<engine::EngineError>(&r)) return at->reply(unavailable(*e));
    auto rate = std::get<engine::RateResult>(r);
    if (!rate.allowed) {
      return at->reply(ApiError{ErrorCode::RateLimited, "too many attaches this minute; retry later", rate.retryAfterMs});
    }
    at->service->pool_.run(at->owner, [at] { at->service->claimSlot(at); });
  });
}

// On the owner: the broadcast must be live and offer a transport; then the cap lease.
void LiveService::claimSlot(const std::shared_ptr<Attaching>& at) {
  const auto& request = at->request;
  Entry* entry = findLive(at->owner, request.liveId);
  if (!entry && multiNode_ && !at->mirrorLooked) return findMirror(at);
  if (!entry) {
    if (shards_[at->owner]->expiredEntries.contains(request.liveId)) {
      return at->reply(ApiError{ErrorCode::Expired, request.liveId + " was not refreshed by its producer and expired", std::nullopt});
    }
    return at->reply(ApiError{ErrorCode::NotFound, request.liveId + " is not being broadcast", std::nullopt});
  }
  const json::value* transport = negotiate(entry->transports, request.preferences);
  if (!transport) return at->reply(ApiError{ErrorCode::UnsupportedTransport, "the producer offers none of the transports asked for", std::nullopt});
  at->transportKind = transport->as_object().at("kind").as_string();
  at->transportJson = entry->transportTexts[static_cast<size_t>(transport - entry->transports.data())];
  if (at->transportKind == kWebrtc) at->signalingRoom = transport->as_object().at("signalingChannelId").as_string();
  const auto& kind = *at->kind;
  at->capKey = capKeyOf(request.liveId, request.userId, request.scope);
  at->attachId = AttachId::make(request.liveId);
  at->slotKey = AttachId::key(at->attachId);
  engine_.leases().acquire(at->capKey, at->slotKey, kind.cap, kind.slotTtlSeconds * 1000, [at](engine::Outcome<engine::SlotGrant> r) {
    at->service->pool_.run(at->owner, [at, r = std::move(r)] { at->service->openSlot(at, r); });
  });
}

// The attach handle: {attachId, liveId, transport, expiresAt[, widgetId][, modalities]}.
api::JsonText LiveService::handleText(const Attaching& at, int64_t expiresAtMs, const std::optional<std::string>& widgetId) {
  api::JsonText out;
  std::string& h = out.text;
  h.reserve(128 + at.request.liveId.size() + at.transportJson.size());
  h.append(R"({"attachId":")").append(at.attachId);  // ours: base64url characters, nothing to escape
  h.append(R"(","liveId":)");
  api::appendJsonString(h, at.request.liveId);
  h.append(R"(,"transport":)").append(at.transportJson);
  h.append(R"(,"expiresAt":")");
  appendIso(h, expiresAtMs);
  h += '"';
  if (widgetId) {
    h.append(R"(,"widgetId":)");
    api::appendJsonString(h, *widgetId);
  }
  if (!at.request.modalities.is_null()) {
    h.append(R"(,"modalities":)");
    api::appendJson(h, at.request.modalities);
  }
  h += '}';
  return out;
}

// On the owner, with the lease's answer: record the slot and answer with its handle.
void LiveService::openSlot(const std::shared_ptr<Attaching>& at, const engine::Outcome<engine::SlotGrant>& r) {
  const uint32_t cap = at->kind->cap;
  const auto& request = at->request;
  if (auto* e = std::get_if<engine::EngineError>(&r)) return at->reply(unavailable(*e));
  auto grant = std::get<engine::SlotGrant>(r);
  if (!grant.granted) {
    return at->reply(ApiError{ErrorCode::CapExceeded, fmt::format("{} of {} {} slots are in use; release one and retry", grant.count, cap, kindOf(request.liveId)), std::nullopt});
  }
  auto it = shards_[at->owner]->entries.find(request.liveId);
  if (it == shards_[at->owner]->entries.end()) {
    engine_.leases().release(at->capKey, at->slotKey, [](auto) {});
    return at->reply(ApiError{ErrorCode::NotFound, request.liveId + " ended while attaching", std::nullopt});
  }
  int64_t expiresAt = nowMs() + at->kind->slotTtlSeconds * 1000;
  const std::string_view transportKind = canonicalTransport(at->transportKind);
  const bool relay = transportKind == kPortalRelay;
  it->second.slots[at->slotKey] = Slot{request.userId, expiresAt, at->capKey, transportKind, request.shard, request.session};
  it->second.viewersDirty = true;
  api::JsonText handle = handleText(*at, expiresAt, it->second.widgetId);
  // Recorded on the viewer's shard before the handle reaches it: a join right after the handle
  // finds the slot.
  if (transportKind == kWebrtc) addWebrtcLocal(request.shard, request.session, at->slotKey, at->signalingRoom, it->second.owner);
  if (!relay) return at->reply(std::move(handle));
  Entry& entry = it->second;
  // Another node publishes it: this node listens to its chunks while it has relay slots.
  if (entry.mirror && entry.remoteRelaySlots++ == 0) startRemoteRelay(at->owner, request.liveId, entry);
  if (entry.mirror && entry.awaitingCatchUp) {
    if (entry.relayWaiting.empty()) entry.relayWaitingSinceMs = nowMs();
    entry.relayWaiting.emplace_back(at, std::move(handle));
    return;
  }
  deliverRelayHandle(at, entry, std::move(handle));
}

// A relay viewer: on its shard, the handle first, then the init chunk and the chunks since the
// last key (so it can start at once), then the live chunks. On the owner shard.
void LiveService::deliverRelayHandle(const std::shared_ptr<Attaching>& at, Entry& entry, api::JsonText handle) {
  const auto& request = at->request;
  std::vector<net::SharedFrame> starter;
  if (entry.relayInit) starter.push_back(entry.relayInit);
  starter.insert(starter.end(), entry.relaySinceKey.begin(), entry.relaySinceKey.end());
  // A viewer on another shard: its interest is counted here first, so no chunk relayed before
  // its shard subscribes misses it. A viewer on this shard runs at once and counts its own.
  const bool local = request.shard == at->owner;
  if (!local) pool_.addInterest("lr:" + request.liveId, request.shard);
  auto task = [this, at, local, handle = std::move(handle), starter = std::move(starter)]() mutable {
    const auto& request = at->request;
    at->reply(std::move(handle));
    auto session = request.session.lock();
    auto connection = session ? session->connection().lock() : nullptr;
    if (!connection || !connection->open()) {
      if (local) return;
      return pool_.post(at->owner, [this, liveId = request.liveId, shard = request.shard] { pool_.removeInterest("lr:" + liveId, shard); });
    }
    for (const auto& frame : starter) connection->send(frame);
    addRelayLocal(request.shard, *session, request.liveId, local);
  };
  if (local) return task();
  pool_.post(request.shard, std::move(task));
}

void LiveService::release(std::string attachId, std::string userId, std::optional<std::string> scope, Reply reply) {
  auto liveId = liveIdOfAttach(attachId);
  if (!liveId) return reply(ApiError::invalidArgument("attachId is not one this server gave out"));
  size_t owner = ownerOf(*liveId);
  pool_.run(owner, [this, owner, attachId = std::move(attachId), userId = std::move(userId), scope = std::move(scope), liveId = std::move(*liveId),
                    reply = std::move(reply)]() mutable {
    auto it = shards_[owner]->entries.find(liveId);
    const std::string key(AttachId::key(attachId));
    auto slot = it != shards_[owner]->entries.end() ? it->second.slots.find(key) : decltype(it->second.slots.end()){};
    if (it != shards_[owner]->entries.end() && slot != it->second.slots.end()) {
      if (!userId.empty() && slot->second.userId != userId) {
        return reply(ApiError{ErrorCode::Permission, "this slot belongs to another user", std::nullopt});
      }
      dropSlot(it->second, liveId, key, slot->second);
      it->second.slots.erase(slot);
      it->second.viewersDirty = true;
    } else if (multiNode_) {
      // Another node may hold it (the consumer reconnected here): its place goes, that node drops it.
      auto capKey = userId.empty() ? std::nullopt : std::optional(capKeyOf(liveId, userId, scope));
      return releaseShared(attachId, liveId, userId, std::move(capKey), std::move(reply));
    }
    reply(api::JsonText{R"({"ok":true})"});  // releasing twice is fine
  });
}

void LiveService::heartbeat(std::string attachId, std::string userId, std::optional<std::string> scope, Reply reply) {
  auto liveId = liveIdOfAttach(attachId);
  if (!liveId) return reply(ApiError::invalidArgument("attachId is not one this server gave out"));
  size_t owner = ownerOf(*liveId);
  pool_.run(owner, [this, owner, attachId = std::move(attachId), userId = std::move(userId), scope = std::move(scope), liveId = std::move(*liveId),
                    reply = std::move(reply)]() mutable {
    auto& shard = *shards_[owner];
    const std::string key(AttachId::key(attachId));
    auto gone = [&] {
      if (shard.expiredSlots.count(key)) return reply(ApiError{ErrorCode::Expired, "this slot expired; attach again", std::nullopt});
      // Multi-node: another node may hold it (the consumer reconnected here); its lease answers.
      if (multiNode_ && !userId.empty()) return heartbeatShared(attachId, liveId, capKeyOf(liveId, userId, scope), std::move(reply));
      reply(ApiError{ErrorCode::NotFound, "no such slot (released, or never attached)", std::nullopt});
    };
    auto it = shard.entries.find(liveId);
    if (it == shard.entries.end()) return gone();
    auto slot = it->second.slots.find(key);
    if (slot == it->second.slots.end()) return gone();
    if (!userId.empty() && slot->second.userId != userId) return reply(ApiError{ErrorCode::Permission, "this slot belongs to another user", std::nullopt});
    const auto& kind = *it->second.kind;
    const int64_t now = nowMs();
    if (now >= slot->second.expiresAtMs) {
      shard.expiredSlots[key] = now + options_.tombstoneSeconds * 1000;
      dropSlot(it->second, liveId, key, slot->second);
      it->second.slots.erase(slot);
      it->second.viewersDirty = true;
      return gone();
    }
    int64_t expiresAt = now + kind.slotTtlSeconds * 1000;
    slot->second.expiresAtMs = expiresAt;
    engine_.leases().renew(slot->second.capKey, key, kind.slotTtlSeconds * 1000, [](auto) {});
    reply(okUntil(expiresAt));
  });
}

void LiveService::resolve(const std::string& liveId, std::vector<std::string> preferences, Reply reply) {
  size_t owner = ownerOf(liveId);
  pool_.run(owner, [this, owner, liveId, preferences = std::move(preferences), reply]() mutable {
    auto& shard = *shards_[owner];
    auto it = shard.entries.find(liveId);
    // Multi-node: a mirror may lag its record by a check; the record answers.
    if (multiNode_ && (it == shard.entries.end() || it->second.mirror)) return resolveShared(owner, liveId, std::move(preferences), std::move(reply));
    if (it == shard.entries.end() && !shard.expiredEntries.contains(liveId)) {
      return reply(ApiError{ErrorCode::NotFound, liveId + " is not being broadcast", std::nullopt});
    }
    if (it == shard.entries.end() || nowMs() >= it->second.expiresAtMs) {
      return reply(ApiError{ErrorCode::Expired, liveId + " expired", std::nullopt});
    }
    auto transport = negotiate(it->second.transports, preferences);
    if (!transport) return reply(ApiError{ErrorCode::UnsupportedTransport, "the producer offers none of the transports asked for", std::nullopt});
    json::object result{{"ok", true}, {"transport", *transport}};
    if (it->second.widgetId) result["widgetId"] = *it->second.widgetId;
    reply(std::move(result));
  });
}

// ---- across nodes ----------------------------------------------------------------------------

namespace {
constexpr std::string_view kNoticeTopic = "lc:all";
}  // namespace

std::string LiveService::capKeyOf(const std::string& liveId, const std::string& userId, const std::optional<std::string>& scope) const {
  const std::string_view kindName(liveId.data(), liveId.find(':'));
  auto kind = options_.kinds.find(std::string(kindName));
  const bool byScope = kind != options_.kinds.end() && kind->second.capPerScopeClaim && scope;
  std::string key;
  key.reserve(kindName.size() + 7 + (byScope ? scope->size() : userId.size()));
  key.append(kindName).append(byScope ? "|scope:" : "|user:").append(byScope ? *scope : userId);
  return key;
}

// Shard 0 subscribes to the notice topic; its sweep asks again until that succeeded.
void LiveService::listen() {
  listenAsked_ = true;
  engine_.broker().subscribe(std::string(kNoticeTopic), [this](engine::Outcome<engine::Done> r) {
    pool_.post(0, [this, ok = std::holds_alternative<engine::Done>(r)] {
      listenAsked_ = false;
      listening_ = ok;
    });
  });
}

void LiveService::notice(json::object body) {
  body["from"] = self_;
  engine_.broker().publish(std::string(kNoticeTopic), std::make_shared<const std::string>(json::serialize(body)));
}

void LiveService::onBroker(const std::string& topic, const engine::Broker::Payload& payload) {
  if (topic == kNoticeTopic) return onNotice(*payload);
  if (topic.rfind("lc:r:", 0) != 0 || !payload || payload->empty()) return;
  std::string liveId = topic.substr(5);
  const size_t owner = ownerOf(liveId);
  pool_.post(owner, [this, owner, liveId = std::move(liveId), payload] { onRelayFrame(owner, liveId, payload); });
}

// Notices: {"op","liveId","from"[,"slot","userId","expiresAtMs","to"]}. Each runs on the liveId's
// owner shard against this node's entry, if any.
void LiveService::onNotice(const std::string& text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  const auto* o = ec ? nullptr : v.if_object();
  const auto* op = o ? o->if_contains("op") : nullptr;
  const auto* id = o ? o->if_contains("liveId") : nullptr;
  if (!op || !op->is_string() || !id || !id->is_string() || id->as_string().empty()) return;
  std::string liveId(id->as_string());
  const size_t owner = ownerOf(liveId);
  pool_.post(owner, [this, owner, liveId, body = std::move(v.as_object())] {
    const std::string_view op = body.at("op").as_string();
    auto& entries = shards_[owner]->entries;
    auto it = entries.find(liveId);
    if (it == entries.end()) return;
    Entry& entry = it->second;
    const auto* to = body.if_contains("to");
    const auto* from = body.if_contains("from");
    if (op == "relay-on" || op == "relay-off") {
      if (!to || !to->is_string() || to->as_string() != self_ || !from || !from->is_string() || entry.mirror) return;
      std::string node(from->as_string());
      if (op == "relay-off") return (void)entry.relayNodes.erase(node);
      entry.relayNodes.insert(node);
      return sendCatchUp(liveId, entry, node);
    }
    if (op == "unpublish") {
      endEntry(owner, entry, liveId, "live.ended");
      entries.erase(it);
      return;
    }
    const auto* slotValue = body.if_contains("slot");
    if (!slotValue || !slotValue->is_string()) return;
    auto slot = entry.slots.find(std::string(slotValue->as_string()));
    if (slot == entry.slots.end()) return;
    if (op == "renew") {
      const auto* until = body.if_contains("expiresAtMs");
      if (until && until->is_int64()) slot->second.expiresAtMs = std::max(slot->second.expiresAtMs, until->as_int64());
      return;
    }
    if (op == "release") {
      const auto* user = body.if_contains("userId");
      if (user && user->is_string() && !user->as_string().empty() && user->as_string() != slot->second.userId) return;
      const std::string key = slot->first;
      dropSlot(entry, liveId, key, slot->second);
      entry.slots.erase(slot);
      entry.viewersDirty = true;
    }
  });
}

void LiveService::ownEntry(const std::string& liveId, Entry& entry) {
  if (entry.mirror && entry.remoteRelaySlots > 0) {
    stopRemoteRelay(ownerOf(liveId), liveId, entry);
    entry.remoteRelaySlots = 0;  // its relay viewers get this node's chunks now
    flushRelayWaiting(ownerOf(liveId), entry);
  }
  entry.mirror = false;
  entry.node = self_;
}

// ---- portal relay across nodes -----------------------------------------------------------------

void LiveService::startRemoteRelay(size_t owner, const std::string& liveId, Entry& entry) {
  entry.relayListening = true;
  entry.relaySubscribed = false;
  entry.awaitingCatchUp = true;
  const uint64_t generation = entry.relayGeneration = ++shards_[owner]->relayGenerations;
  engine_.broker().subscribe(relayTopic(liveId), [this, owner, liveId, generation](engine::Outcome<engine::Done> r) {
    pool_.run(owner, [this, owner, liveId, generation, ok = std::holds_alternative<engine::Done>(r)] {
      auto it = shards_[owner]->entries.find(liveId);
      if (it == shards_[owner]->entries.end() || it->second.relayGeneration != generation || !it->second.relayListening) return;
      if (!ok) {
        it->second.relayListening = false;  // a failed subscribe does not count: the sweep tries again
        return;
      }
      it->second.relaySubscribed = true;
      askCatchUp(liveId, it->second);
    });
  });
}

void LiveService::stopRemoteRelay(size_t owner, const std::string& liveId, Entry& entry) {
  if (entry.relayListening) engine_.broker().unsubscribe(relayTopic(liveId));
  if (entry.relaySubscribed) notice(json::object{{"op", "relay-off"}, {"liveId", liveId}, {"to", entry.node}});
  entry.relayListening = false;
  entry.relaySubscribed = false;
  entry.awaitingCatchUp = false;
  entry.relayGeneration = ++shards_[owner]->relayGenerations;
}

// Frames received before the catch-up are in it (or older): dropped until it comes.
void LiveService::askCatchUp(const std::string& liveId, Entry& entry) {
  entry.awaitingCatchUp = true;
  entry.catchUpAskedAtMs = nowMs();
  notice(json::object{{"op", "relay-on"}, {"liveId", liveId}, {"to", entry.node}});
}

// Producer side, on the owner shard: the catch-up (live/RelayPacket) goes on the chunks' topic,
// so it is ordered with them. Nodes other than `node` skip it.
void LiveService::sendCatchUp(const std::string& liveId, const Entry& entry, const std::string& node) {
  if (node.size() > RelayPacket::kMaxNode) return;
  std::vector<std::string_view> frames;
  if (entry.relayInit) frames.push_back(*entry.relayInit);
  for (const auto& frame : entry.relaySinceKey) frames.push_back(*frame);
  engine_.broker().publish(relayTopic(liveId), std::make_shared<const std::string>(RelayPacket::encodeCatchUp(node, frames)));
}

void LiveService::flushRelayWaiting(size_t owner, Entry& entry) {
  (void)owner;
  auto waiting = std::move(entry.relayWaiting);
  entry.relayWaiting.clear();
  for (auto& [at, handle] : waiting) deliverRelayHandle(at, entry, std::move(handle));
}

// Mirror side, on the owner shard: a chunk frame fans out as received; this node's catch-up
// replaces the mirror's cache (its frames go to the viewers already there) and lets the waiting
// attaches through.
void LiveService::onRelayFrame(size_t owner, const std::string& liveId, const engine::Broker::Payload& payload) {
  auto it = shards_[owner]->entries.find(liveId);
  if (it == shards_[owner]->entries.end() || !it->second.mirror || !it->second.relaySubscribed) return;
  Entry& entry = it->second;
  const std::string_view bytes = *payload;
  if (!RelayPacket::isCatchUp(bytes)) {
    auto flags = RelayPacket::chunkFlags(bytes);
    if (!flags || entry.awaitingCatchUp) return;
    return fanOut(owner, entry, liveId, payload, *flags);
  }
  if (!entry.awaitingCatchUp) return;
  auto catchUp = RelayPacket::parseCatchUp(bytes);
  if (!catchUp || catchUp->node != self_) return;  // another node's, or malformed (asked again)
  std::vector<net::SharedFrame> frames;
  for (auto frame : catchUp->frames) frames.push_back(net::makeSharedFrame(std::string(frame)));
  entry.awaitingCatchUp = false;
  shards_[owner]->relayCacheBytes -= cacheBytes(entry.relayInit, entry.relaySinceKeyBytes);
  entry.relayInit.reset();
  entry.relaySinceKey.clear();
  entry.relaySinceKeyBytes = 0;
  for (const auto& frame : frames) {
    fanOut(owner, entry, liveId, frame, *RelayPacket::chunkFlags(*frame));
  }
  flushRelayWaiting(owner, entry);
}

void LiveService::endLocalMirror(size_t owner, const std::string& liveId) {
  auto& entries = shards_[owner]->entries;
  auto it = entries.find(liveId);
  if (it == entries.end() || !it->second.mirror) return;
  endEntry(owner, it->second, liveId, "live.ended");
  entries.erase(it);
}

// The record names the producer: its owner check as on that node, then the record goes (so every
// node answers not_found at once), the user's place is given back, and a notice ends the
// entry on the producer's node and the mirrors elsewhere.
void LiveService::unpublishShared(size_t owner, const std::string& liveId, std::string userId, Reply reply) {
  engine_.registry().get(recordKey(liveId), [this, owner, liveId, userId = std::move(userId), reply = std::move(reply)](
                                                engine::Outcome<std::optional<engine::Record>> r) mutable {
    pool_.run(owner, [this, owner, liveId, userId = std::move(userId), reply = std::move(reply), r = std::move(r)]() mutable {
      if (auto* e = std::get_if<engine::EngineError>(&r)) return reply(unavailable(*e));
      const auto& record = std::get<std::optional<engine::Record>>(r);
      auto offer = record ? parseOffer(record->value) : std::nullopt;
      if (!offer) {
        endLocalMirror(owner, liveId);
        return reply(api::JsonText{R"({"ok":true})"});
      }
      const bool lapsed = nowMs() >= offer->expiresAtMs;
      if (!lapsed && !userId.empty() && offer->owner != userId) return reply(notOwner(liveId, offer->owner));
      engine_.registry().remove(recordKey(liveId), [this, owner, liveId, holder = offer->owner, reply = std::move(reply)](engine::Outcome<engine::Done> done) mutable {
        if (auto* e = std::get_if<engine::EngineError>(&done)) return reply(unavailable(*e));
        if (!holder.empty()) engine_.leases().release(entriesKey(holder), liveId, [](auto) {});
        notice(json::object{{"op", "unpublish"}, {"liveId", liveId}});
        pool_.run(owner, [this, owner, liveId, reply = std::move(reply)] {
          endLocalMirror(owner, liveId);
          reply(api::JsonText{R"({"ok":true})"});
        });
      });
    });
  });
}

void LiveService::resolveShared(size_t owner, const std::string& liveId, std::vector<std::string> preferences, Reply reply) {
  engine_.registry().get(recordKey(liveId), [this, owner, liveId, preferences = std::move(preferences), reply = std::move(reply)](
                                                engine::Outcome<std::optional<engine::Record>> r) {
    if (auto* e = std::get_if<engine::EngineError>(&r)) return reply(unavailable(*e));
    const auto& record = std::get<std::optional<engine::Record>>(r);
    auto offer = record ? parseOffer(record->value) : std::nullopt;
    if (!offer) {
      pool_.run(owner, [this, owner, liveId, reply] {
        if (shards_[owner]->expiredEntries.contains(liveId)) return reply(ApiError{ErrorCode::Expired, liveId + " expired", std::nullopt});
        reply(ApiError{ErrorCode::NotFound, liveId + " is not being broadcast", std::nullopt});
      });
      return;
    }
    if (nowMs() >= offer->expiresAtMs) return reply(ApiError{ErrorCode::Expired, liveId + " expired", std::nullopt});
    auto transport = negotiate(offer->transports, preferences);
    if (!transport) return reply(ApiError{ErrorCode::UnsupportedTransport, "the producer offers none of the transports asked for", std::nullopt});
    json::object result{{"ok", true}, {"transport", *transport}};
    if (offer->widgetId) result["widgetId"] = *offer->widgetId;
    reply(std::move(result));
  });
}

// The slot's lease is the truth every node shares: renewed here, and the holding node (if alive)
// moves its slot's expiry too.
void LiveService::heartbeatShared(const std::string& attachId, const std::string& liveId, std::optional<std::string> capKey, Reply reply) {
  auto kind = options_.kinds.find(kindOf(liveId));
  if (!capKey || kind == options_.kinds.end()) return reply(ApiError{ErrorCode::NotFound, "no such slot (released, or never attached)", std::nullopt});
  const int64_t ttlMs = kind->second.slotTtlSeconds * 1000;
  const std::string key(AttachId::key(attachId));
  engine_.leases().renew(*capKey, key, ttlMs, [this, liveId, key, ttlMs, reply = std::move(reply)](engine::Outcome<std::optional<int64_t>> r) {
    if (auto* e = std::get_if<engine::EngineError>(&r)) return reply(unavailable(*e));
    if (!std::get<std::optional<int64_t>>(r)) return reply(ApiError{ErrorCode::NotFound, "no such slot (released, expired, or never attached)", std::nullopt});
    const int64_t expiresAt = nowMs() + ttlMs;
    notice(json::object{{"op", "renew"}, {"liveId", liveId}, {"slot", key}, {"expiresAtMs", expiresAt}});
    reply(okUntil(expiresAt));
  });
}

void LiveService::releaseShared(const std::string& attachId, const std::string& liveId, const std::string& userId, std::optional<std::string> capKey,
                                Reply reply) {
  const std::string key(AttachId::key(attachId));
  auto tell = [this, liveId, key, userId, reply = std::move(reply)] {
    notice(json::object{{"op", "release"}, {"liveId", liveId}, {"slot", key}, {"userId", userId}});
    reply(api::JsonText{R"({"ok":true})"});
  };
  if (!capKey) return tell();
  engine_.leases().release(*capKey, key, [tell = std::move(tell), reply](engine::Outcome<engine::Done> r) {
    if (auto* e = std::get_if<engine::EngineError>(&r)) return reply(unavailable(*e));
    tell();
  });
}

// ---- portal relay --------------------------------------------------------------------------

void LiveService::dropSlot(Entry& entry, const std::string& liveId, const std::string& slotKey, const Slot& slot) {
  engine_.leases().release(slot.capKey, slotKey, [](auto) {});
  if (slot.transportKind == kWebrtc) return releaseWebrtcLocal(slot.shard, slot.session, slotKey);
  if (slot.transportKind != kPortalRelay) return;
  if (entry.mirror && entry.remoteRelaySlots > 0 && --entry.remoteRelaySlots == 0) stopRemoteRelay(ownerOf(liveId), liveId, entry);
  // Inline when the viewer's shard is this one (no copies for a task): releaseRelayLocal touches
  // only that shard's relay subscriptions and hub, never the entries or slots iterated here.
  if (pool_.loop(slot.shard).isCurrentThread()) {
    if (auto s = slot.session.lock()) releaseRelayLocal(slot.shard, s.get(), liveId);
    return;
  }
  pool_.post(slot.shard, [this, shard = slot.shard, session = slot.session, liveId] {
    if (auto s = session.lock()) releaseRelayLocal(shard, s.get(), liveId);
  });
}

// The first relay slot of a session on a broadcast subscribes its connection: into the entry's
// localRelay when this shard owns the broadcast (`onOwner`), else to the hub topic (the owner
// counted this shard's interest before); later ones only count slots, giving back an interest
// counted for them.
void LiveService::addRelayLocal(size_t shard, api::ClientSession& session, const std::string& liveId, bool onOwner) {
  auto [sessionIt, firstForSession] = shards_[shard]->relaySubs.try_emplace(&session);
  if (firstForSession) {
    api::ClientSession* key = &session;
    session.onClosed([this, shard, key] {
      auto& subs = shards_[shard]->relaySubs;
      auto it = subs.find(key);
      if (it == subs.end()) return;
      for (const auto& sub : it->second) unsubscribeRelay(shard, sub.liveId, sub.sink, sub.local);
      subs.erase(it);
    });
  }
  auto& subs = sessionIt->second;
  auto sub = std::find_if(subs.begin(), subs.end(), [&](const Shard::RelaySub& s) { return s.liveId == liveId; });
  if (sub != subs.end()) {
    ++sub->slots;
    if (!onOwner) pool_.run(ownerOf(liveId), [this, liveId, shard] { pool_.removeInterest("lr:" + liveId, shard); });
    return;
  }
  net::FrameSink* sink = session.connection().lock().get();  // open: the caller checked
  subs.push_back({liveId, sink, 1, onOwner});
  if (!onOwner) return (void)pool_.hub(shard).subscribe("lr:" + liveId, sink);
  auto entry = shards_[shard]->entries.find(liveId);
  if (entry != shards_[shard]->entries.end()) entry->second.localRelay.insert(sink);
}

// Takes a session's connection off a broadcast's relay (its last slot there went, or it closed).
void LiveService::unsubscribeRelay(size_t shard, const std::string& liveId, net::FrameSink* sink, bool local) {
  if (!local) return pool_.unsubscribe(shard, "lr:" + liveId, sink);
  auto entry = shards_[shard]->entries.find(liveId);
  if (entry != shards_[shard]->entries.end()) entry->second.localRelay.erase(sink);
}

// The last relay slot of a session on a broadcast unsubscribes it (the session's element stays:
// its close hook is registered once).
void LiveService::releaseRelayLocal(size_t shard, api::ClientSession* session, const std::string& liveId) {
  auto& all = shards_[shard]->relaySubs;
  auto it = all.find(session);
  if (it == all.end()) return;
  auto& subs = it->second;
  auto sub = std::find_if(subs.begin(), subs.end(), [&](const Shard::RelaySub& s) { return s.liveId == liveId; });
  if (sub == subs.end() || --sub->slots > 0) return;
  unsubscribeRelay(shard, sub->liveId, sub->sink, sub->local);
  util::swapErase(subs, *sub);
}

void LiveService::relay(const std::string& liveId, uint8_t flags, std::string payload, std::string userId, size_t shard,
                        std::weak_ptr<api::ClientSession> session) {
  size_t owner = ownerOf(liveId);
  pool_.run(owner, [this, owner, liveId, flags, payload = std::move(payload), userId = std::move(userId), shard, session] {
    auto fail = [&](ApiError e) {
      std::string text = api::Envelope::error(nullptr, e);
      pool_.post(shard, [session, text = std::move(text)] {
        if (auto s = session.lock()) s->sendText(text);
      });
    };
    auto it = shards_[owner]->entries.find(liveId);
    if (it == shards_[owner]->entries.end() || nowMs() >= it->second.expiresAtMs) {
      return fail({ErrorCode::NotFound, "publish " + liveId + " with a portal-relay transport before sending chunks", std::nullopt});
    }
    auto& entry = it->second;
    if (!entry.owner.empty() && entry.owner != userId) {
      return fail({ErrorCode::Permission, liveId + " is being broadcast by another user; only they may send its chunks", std::nullopt});
    }
    bool offersRelay = false;
    for (const auto& t : entry.transports) offersRelay |= t.as_object().at("kind").as_string() == "portal-relay";
    if (!offersRelay) return fail({ErrorCode::UnsupportedTransport, liveId + " does not offer portal-relay", std::nullopt});
    // Encode once; every relay viewer on every shard and node shares these bytes.
    auto frame = net::makeSharedFrame(net::WsCodec::encodeFrame(net::WsOpcode::Binary, api::BinaryFrame::encode(flags, liveId, payload)));
    fanOut(owner, entry, liveId, frame, flags);
    if (multiNode_ && !entry.relayNodes.empty()) engine_.broker().publish(relayTopic(liveId), frame);
  });
}

// Keeps the catch-up (init, chunks since the last key) and hands the frame to this node's relay
// viewers. On the owner shard.
void LiveService::fanOut(size_t owner, Entry& entry, const std::string& liveId, const net::SharedFrame& frame, uint8_t flags) {
  const bool init = flags & api::BinaryFrame::kInit;
  const bool key = flags & api::BinaryFrame::kKey;
  auto& total = shards_[owner]->relayCacheBytes;
  total -= cacheBytes(entry.relayInit, entry.relaySinceKeyBytes);
  if (init) {
    entry.relayInit = frame;
  } else if (key) {
    entry.relaySinceKey.assign(1, frame);
    entry.relaySinceKeyBytes = frame->size();
  } else if (!entry.relaySinceKey.empty()) {
    entry.relaySinceKeyBytes += frame->size();
    entry.relaySinceKey.push_back(frame);
    if (entry.relaySinceKeyBytes > kMaxSinceKeyBytes) {
      entry.relaySinceKey.clear();
      entry.relaySinceKeyBytes = 0;
    }
  }
  // Many broadcasts on one shard share one budget: over it, this one keeps no catch-up (its
  // late joiners start at the next key chunk instead).
  if (total + cacheBytes(entry.relayInit, entry.relaySinceKeyBytes) > kMaxRelayCacheBytes) {
    entry.relaySinceKey.clear();
    entry.relaySinceKeyBytes = 0;
  }
  total += cacheBytes(entry.relayInit, entry.relaySinceKeyBytes);
  uint8_t outFlags = init ? 0 : static_cast<uint8_t>(net::OutFrame::Droppable | (key ? net::OutFrame::Key : 0));
  // This shard's viewers directly (one loop-local frame for all, as Hub::deliver does; a
  // FrameSink never changes subscriptions while sending), then the other shards' via the hub.
  if (!entry.localRelay.empty()) {
    net::OutFrame* out = net::OutFrame::make(frame, outFlags);
    out->retain();
    for (net::FrameSink* sink : entry.localRelay) sink->send(*out);
    out->release();
  }
  pool_.publish("lr:" + liveId, frame, outFlags);
}

// ---- webrtc slots -----------------------------------------------------------------------------

// Runs on the viewer's shard (inline when that is this thread, as a slot opened on its owner).
void LiveService::addWebrtcLocal(size_t shard, const std::weak_ptr<api::ClientSession>& session, const std::string& slotKey,
                                 const std::string& roomId, const std::string& producer) {
  pool_.run(shard, [this, shard, session, slotKey, roomId, producer] {
    auto s = session.lock();
    auto connection = s ? s->connection().lock() : nullptr;
    if (!connection || !connection->open()) return;
    auto [it, first] = shards_[shard]->webrtcSlots.try_emplace(s.get());
    if (first) {
      api::ClientSession* key = s.get();
      // Its rooms let it go by themselves when it closes (streams' own close hook).
      s->onClosed([this, shard, key] { shards_[shard]->webrtcSlots.erase(key); });
    }
    it->second.push_back({slotKey, roomId, producer});
  });
}

void LiveService::releaseWebrtcLocal(size_t shard, const std::weak_ptr<api::ClientSession>& session, const std::string& slotKey) {
  pool_.run(shard, [this, shard, session, slotKey] {
    auto s = session.lock();
    if (!s) return;
    auto& all = shards_[shard]->webrtcSlots;
    auto it = all.find(s.get());
    if (it == all.end()) return;
    auto& slots = it->second;
    auto slot = std::find_if(slots.begin(), slots.end(), [&](const Shard::WebrtcSlot& w) { return w.slotKey == slotKey; });
    if (slot == slots.end()) return;
    const std::string roomId = std::move(slot->roomId);
    slots.erase(slot);
    const bool stillHeld = std::any_of(slots.begin(), slots.end(), [&](const Shard::WebrtcSlot& w) { return w.roomId == roomId; });
    if (!stillHeld && webrtcRelease_) webrtcRelease_(shard, session, roomId);
  });
}

std::optional<std::string> LiveService::webrtcSlotProducer(size_t shard, const api::ClientSession* session, const std::string& roomId) const {
  const auto& all = shards_[shard]->webrtcSlots;
  auto it = all.find(const_cast<api::ClientSession*>(session));
  if (it == all.end()) return std::nullopt;
  for (const auto& w : it->second) {
    if (w.roomId == roomId) return w.producer;
  }
  return std::nullopt;
}

// ---- diagnostics ---------------------------------------------------------------------------

void LiveService::footprint(std::function<void(Footprint)> done) {
  struct Sum {
    std::mutex mutex;
    Footprint total;
    size_t shardsLeft = 0;
    std::function<void(Footprint)> done;
  };
  auto sum = std::make_shared<Sum>();
  sum->shardsLeft = shards_.size();
  sum->done = std::move(done);
  for (size_t i = 0; i < shards_.size(); ++i) {
    pool_.post(i, [this, i, sum] {
      const auto& s = *shards_[i];
      size_t bytes = 0;
      for (const auto& [liveId, entry] : s.entries) {
        for (const auto& t : entry.transportTexts) bytes += t.size();
        bytes += entry.metaJson.size();
      }
      std::unique_lock lock(sum->mutex);
      sum->total.entries += s.entries.size();
      sum->total.tombstones += s.expiredEntries.size();
      sum->total.offerBytes += bytes;
      if (--sum->shardsLeft > 0) return;
      lock.unlock();
      sum->done(sum->total);
    });
  }
}

// ---- expiry ----------------------------------------------------------------------------------

void LiveService::arm(size_t shard) {
  shards_[shard]->timer->expires_after(kSweepEvery);
  shards_[shard]->timer->async_wait([this, shard](const boost::system::error_code& ec) {
    if (ec) return;
    sweep(shard);
    arm(shard);
  });
}

// Expires entries and slots whose time passed, forgets old tombstones, sends due viewer counts.
void LiveService::sweep(size_t shard) {
  auto& s = *shards_[shard];
  const int64_t now = nowMs();
  for (auto it = s.entries.begin(); it != s.entries.end();) {
    auto& [liveId, entry] = *it;
    if (entry.mirror && !entry.checking && now - entry.checkedAtMs >= kMirrorCheckMs) checkMirror(shard, liveId, entry);
    if (entry.mirror && entry.remoteRelaySlots > 0) {
      if (!entry.relayListening) {
        startRemoteRelay(shard, liveId, entry);
      } else if (entry.relaySubscribed && entry.awaitingCatchUp && now - entry.catchUpAskedAtMs >= kMirrorCheckMs) {
        askCatchUp(liveId, entry);  // the notice or its answer was lost, or the producer's node is new
      }
      if (!entry.relayWaiting.empty() && now - entry.relayWaitingSinceMs >= kCatchUpWaitMs) flushRelayWaiting(shard, entry);
    }
    if (now >= entry.expiresAtMs) {
      endEntry(shard, entry, liveId, "live.expired");
      it = s.entries.erase(it);
      continue;
    }
    for (auto slot = entry.slots.begin(); slot != entry.slots.end();) {
      if (now < slot->second.expiresAtMs) {
        ++slot;
        continue;
      }
      s.expiredSlots[slot->first] = now + options_.tombstoneSeconds * 1000;
      dropSlot(entry, liveId, slot->first, slot->second);
      entry.slots.erase(slot++);  // an open-addressing erase moves no other element
      entry.viewersDirty = true;
    }
    if (entry.viewersDirty && now - entry.lastViewersMs >= options_.viewersIntervalMs) sendViewers(shard, liveId, entry);
    ++it;
  }
  boost::unordered::erase_if(s.expiredSlots, [now](const auto& e) { return now >= e.second; });
  boost::unordered::erase_if(s.expiredEntries, [this, now](const auto& e) {
    if (now < e.second) return false;
    if (multiNode_) removeShared(e.first, "", false);  // the lapsed record goes with the tombstone
    return true;
  });
  if (multiNode_ && shard == 0 && !listening_ && !listenAsked_) listen();
}

}  // namespace onair::live
