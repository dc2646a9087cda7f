#pragma once
// Live broadcasts (semantics: seeds/000 host.live; protocol: docs/protocol.md "Live broadcasts").
// Each liveId is owned by one shard (hash of "lp:<liveId>"), which holds its entry (transports,
// expiry, the publishing user) while it is live, a tombstone (its time only) once it lapsed, and
// its slots; caps, a user's live entries and rate windows go through the engine's Leases.
// attachIds embed the liveId, so release/heartbeat find the owner without a lookup.
// A slot granted with the webrtc transport lets its connection into the stream room the
// transport names (`signalingChannelId`) for as long as the slot is held: the consumer's shard
// keeps, per connection, its webrtc slots and their rooms (holdsWebrtcSlot), and reports through
// onWebrtcRelease when the last slot naming a room goes (release, eviction, expiry, the entry's end).
// Every method may be called from any shard; replies may run on any thread.
#include <boost/json/value.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "api/ApiError.hpp"
#include "api/Reply.hpp"
#include "engine/Engine.hpp"
#include "hub/ShardPool.hpp"
#include "live/LiveOptions.hpp"

namespace onair::api {
class ClientSession;
}

namespace onair::live {

using Reply = api::Reply;

struct PublishRequest {
  std::string liveId;
  // The publishing user, who owns the entry until it ends (only they may refresh or end it), or
  // empty for the server API, which may change or end any entry and is not counted.
  std::string userId;
  boost::json::array transports;  // validated descriptors, at most one per transport kind
  std::optional<std::string> widgetId;
  std::optional<int64_t> expiresAtMs;  // wall clock
  // meta, serialized (at most live.max_meta_bytes; its DOM could take several times that), or empty.
  std::string metaJson;
  // The producer's session (for live.viewers), or none for the server API.
  size_t shard = 0;
  std::weak_ptr<api::ClientSession> session;
};

struct AttachRequest {
  std::string liveId;
  std::vector<std::string> preferences;  // transport kinds in order
  boost::json::value modalities;          // object or null
  std::string userId;
  std::optional<std::string> scope;
  size_t shard = 0;
  std::weak_ptr<api::ClientSession> session;
};

class LiveService {
 public:
  LiveService(hub::ShardPool& pool, engine::Engine& engine, LiveOptions options);
  ~LiveService();

  const LiveOptions& options() const { return options_; }
  // Checks a liveId's shape and kind: nullopt when fine, else the error to return.
  std::optional<api::ApiError> checkLiveId(const std::string& liveId) const;
  // Checks publish transports against the kind; fills `out` with normalized descriptors.
  std::optional<api::ApiError> checkTransports(const std::string& liveId, const boost::json::value& transports,
                                               boost::json::array& out) const;

  // A user's publish of a live entry someone else owns, or of a new one past
  // live.max_entries_per_user, is refused (permission, cap_exceeded).
  void publish(PublishRequest request, Reply reply);
  // `userId` empty: the server API (any entry); else only the entry's owner may end it.
  void unpublish(const std::string& liveId, std::string userId, Reply reply);
  void attach(AttachRequest request, Reply reply);
  // `userId` empty: any owner (server API); else the slot must be this user's. `scope`: the
  // caller's scope claim, naming the slot's cap when another node holds it (multi-node engines).
  void release(std::string attachId, std::string userId, std::optional<std::string> scope, Reply reply);
  void heartbeat(std::string attachId, std::string userId, std::optional<std::string> scope, Reply reply);
  void resolve(const std::string& liveId, std::vector<std::string> preferences, Reply reply);
  // Portal relay: a producer's chunk (flags: api::BinaryFrame kInit/kKey), relayed once-encoded
  // to every portal-relay slot; errors go back to the producer's session as {"id":null,"error"}.
  // Only the entry's owner may send chunks (anyone with the grant when the server API published it).
  void relay(const std::string& liveId, uint8_t flags, std::string payload, std::string userId, size_t shard,
             std::weak_ptr<api::ClientSession> session);

  // What broadcasts hold in memory, summed over shards (diagnostics and tests).
  struct Footprint {
    size_t entries = 0;     // live entries
    size_t tombstones = 0;  // lapsed entries remembered so attaches answer `expired` (no offer kept)
    size_t offerBytes = 0;  // the live entries' transport descriptors and meta, as JSON
  };
  void footprint(std::function<void(Footprint)> done);

  static std::optional<std::string> liveIdOfAttach(const std::string& attachId);

  // On `shard`'s thread: when `session` (a connection of that shard) holds a slot granted with the
  // webrtc transport whose signalingChannelId is `roomId`, the user who publishes that broadcast
  // (empty: the server API); else nullopt.
  std::optional<std::string> webrtcSlotProducer(size_t shard, const api::ClientSession* session, const std::string& roomId) const;
  // Called on the connection's shard when its last webrtc slot naming `roomId` goes while the
  // connection is open. Set before the shards start.
  using WebrtcRelease = std::function<void(size_t shard, std::weak_ptr<api::ClientSession> session, const std::string& roomId)>;
  void onWebrtcRelease(WebrtcRelease release) { webrtcRelease_ = std::move(release); }

 private:
  struct Slot;
  struct Entry;
  struct Shard;
  struct Attaching;
  struct Publishing;

  size_t ownerOf(const std::string& liveId) const;
  // The live entry of liveId on its owner, or null; one whose time passed is ended first.
  Entry* findLive(size_t owner, const std::string& liveId);
  // A user's new entry: their place under live.max_entries_per_user (a lease), then the entry.
  void claimEntry(size_t owner, const std::shared_ptr<Publishing>& publishing);
  void openEntry(size_t owner, PublishRequest& request, Reply& reply);
  // Puts a publish's offer (transports, widgetId, meta, expiry) on a live entry.
  void offer(Entry& entry, PublishRequest& request) const;
  // The lease set of a user's live entries (members: liveIds). Slot caps are "<kind>|…" with no
  // ':' before the '|', so the two never share a key.
  static std::string entriesKey(const std::string& userId) { return "live-entries:" + userId; }
  void claimSlot(const std::shared_ptr<Attaching>& attaching);
  // Multi-node engines: shares an entry's offer through the Registry, then answers the publish.
  void share(const std::string& liveId, const Entry& entry, const Reply& reply);
  void findMirror(const std::shared_ptr<Attaching>& attaching);
  // The entry's record and its owner's place go with the entry, unless another node shares the
  // broadcast now (the producer moved): that node's record and place stay. A lapsed entry's
  // record stays (`keepRecord`) so every node answers `expired` until its tombstone is forgotten.
  void removeShared(const std::string& liveId, const std::string& owner, bool keepRecord);
  // ---- across nodes (multi-node engines; docs/architecture.md "Live broadcasts across nodes") ----
  // Notices between nodes go on the Broker topic "lc:all"; portal-relay chunks on "lc:r:<liveId>".
  void listen();
  void onBroker(const std::string& topic, const std::shared_ptr<const std::string>& payload);
  void onNotice(const std::string& text);
  void notice(boost::json::object body);
  // The node now publishes an entry it mirrored (the producer moved here).
  void ownEntry(const std::string& liveId, Entry& entry);
  void endLocalMirror(size_t owner, const std::string& liveId);
  void unpublishShared(size_t owner, const std::string& liveId, std::string userId, Reply reply);
  void resolveShared(size_t owner, const std::string& liveId, std::vector<std::string> preferences, Reply reply);
  void heartbeatShared(const std::string& attachId, const std::string& liveId, std::optional<std::string> capKey, Reply reply);
  void releaseShared(const std::string& attachId, const std::string& liveId, const std::string& userId,
                     std::optional<std::string> capKey, Reply reply);
  // The cap set a user's slot counts in: "<kind>|user:<userId>" or "<kind>|scope:<scope>".
  std::string capKeyOf(const std::string& liveId, const std::string& userId, const std::optional<std::string>& scope) const;
  // Portal relay across nodes. Producer side: the chunk's frame goes once on "lc:r:<liveId>" while
  // some node listens; a node asking to listen gets a catch-up (init and since-key frames) first.
  // Mirror side: listens while it has portal-relay slots, fans each received frame out as is.
  void fanOut(size_t owner, Entry& entry, const std::string& liveId, const net::SharedFrame& frame, uint8_t flags);
  void onRelayFrame(size_t owner, const std::string& liveId, const std::shared_ptr<const std::string>& payload);
  void startRemoteRelay(size_t owner, const std::string& liveId, Entry& entry);
  void stopRemoteRelay(size_t owner, const std::string& liveId, Entry& entry);
  void askCatchUp(const std::string& liveId, Entry& entry);
  void sendCatchUp(const std::string& liveId, const Entry& entry, const std::string& node);
  void flushRelayWaiting(size_t owner, Entry& entry);
  void deliverRelayHandle(const std::shared_ptr<Attaching>& attaching, Entry& entry, api::JsonText handle);
  struct SharedOffer;
  static std::optional<SharedOffer> parseOffer(const std::string& text);
  void applyOffer(Entry& entry, SharedOffer offer);
  void checkMirror(size_t owner, const std::string& liveId, Entry& entry);
  void openSlot(const std::shared_ptr<Attaching>& attaching, const engine::Outcome<engine::SlotGrant>& grant);
  static api::JsonText handleText(const Attaching& attaching, int64_t expiresAtMs, const std::optional<std::string>& widgetId);
  void arm(size_t shard);
  void sweep(size_t shard);
  // Ends a live entry (event: live.ended or live.expired): its consumers are told, its slots and
  // its owner's place are freed, a lapsed one leaves a tombstone. The caller then erases it.
  void endEntry(size_t owner, Entry& entry, const std::string& liveId, const char* event);
  void notifySlot(const Slot& slot, const char* event, const std::string& attachId, const std::string& liveId);
  // Frees a slot's lease and, for portal-relay slots, its relay subscription (owner thread).
  void dropSlot(Entry& entry, const std::string& liveId, const std::string& slotKey, const Slot& slot);
  // Consumer side (the slot's shard): relay subscriptions counted per (session, liveId).
  void addRelayLocal(size_t shard, api::ClientSession& session, const std::string& liveId, bool onOwner);
  void releaseRelayLocal(size_t shard, api::ClientSession* session, const std::string& liveId);
  void unsubscribeRelay(size_t shard, const std::string& liveId, net::FrameSink* sink, bool local);
  void sendViewers(size_t owner, const std::string& liveId, Entry& entry);
  // Consumer side (the slot's shard): a connection's webrtc slots and the rooms they name.
  void addWebrtcLocal(size_t shard, const std::weak_ptr<api::ClientSession>& session, const std::string& slotKey, const std::string& roomId,
                      const std::string& producer);
  void releaseWebrtcLocal(size_t shard, const std::weak_ptr<api::ClientSession>& session, const std::string& slotKey);
  // The offered transport the consumer prefers most, or null.
  static const boost::json::value* negotiate(const boost::json::array& transports, const std::vector<std::string>& preferences);

  hub::ShardPool& pool_;
  engine::Engine& engine_;
  LiveOptions options_;
  bool multiNode_;  // the engine is shared with other nodes: entries are shared through the Registry
  std::string self_;       // this node's id (multi-node engines)
  bool listening_ = false;  // subscribed to "lc:all" (shard 0's thread)
  bool listenAsked_ = false;
  WebrtcRelease webrtcRelease_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace onair::live
