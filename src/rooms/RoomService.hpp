#pragma once
// Rooms and channels (semantics: seeds/004; protocol: docs/protocol.md). Each room or channel is
// a stream owned by one shard (hash of its topic): only the owner touches its state (head,
// members, metadata, pending recoveries), so no locks guard it. Requests from any shard are
// posted to the owner; replies go back through Reply, which may be called from any thread.
//
// Ordering contract: the owner processes each stream's appends in offset order as the History
// completes them, fans each one out exactly then, and hands a (re)subscribing connection its
// missed messages and its hub subscription in one task on the connection's shard, so a
// subscriber sees every message after its position once, in order.
#include <boost/json/value.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>

#include "api/ApiError.hpp"
#include "api/Reply.hpp"
#include "engine/Engine.hpp"
#include "hub/ShardPool.hpp"
#include "rooms/Cursor.hpp"
#include "rooms/MemberCursor.hpp"
#include "rooms/NamespaceOptions.hpp"
#include "rooms/SnapshotCursor.hpp"

namespace onair::api {
class ClientSession;
}

namespace onair::rooms {

using Reply = api::Reply;
enum class Kind { Room, Channel };

struct MemberInfo {
  std::string userId;
  std::string name;
  boost::json::value metadata;  // object or null
  boost::json::value presence;  // any JSON, null when unset
};

struct SubscribeRequest {
  Kind kind = Kind::Room;
  std::string name;
  size_t shard = 0;
  std::weak_ptr<api::ClientSession> session;
  std::string sessionId;
  std::optional<engine::StreamPosition> since;
  std::optional<MemberInfo> member;  // rooms: join as this member
};

struct PublishRequest {
  Kind kind = Kind::Room;
  std::string name;
  std::string type;
  std::string dataJson;
  std::string publisher;  // empty for the server API
  std::optional<std::string> idempotencyKey;
};

// room.send: one message to one member's connections in the room, never stored.
struct DirectRequest {
  std::string room;
  std::string to;           // the target member's user id
  std::string type;
  std::string dataJson;
  std::string from;         // the sender's user id
  std::string fromSession;  // the sending connection (it must have joined the room)
};

struct HistoryRequest {
  Kind kind = Kind::Room;
  std::string name;
  uint32_t limit = 50;
  bool forward = false;
  std::optional<Cursor> cursor;
};

// One page of a room's members (room.members, and the presence list of the server API).
struct MembersRequest {
  std::string room;
  uint32_t limit = 100;
  std::optional<MemberCursor> cursor;
};

struct SnapshotRequest {
  std::string room;
  uint32_t limit = 20;  // newest messages wanted, across all pages
  std::optional<SnapshotCursor> cursor;
};

// Replies that list members or messages are paged so none outgrows a connection's send queue
// (ws.send_queue_bytes): a page holds at most `limit` items and about an eighth of the send
// queue of member JSON (and as much of message JSON), but always at least one item.
class RoomService {
 public:
  static constexpr uint32_t kMemberPageDefault = 100;
  static constexpr uint32_t kMemberPageMax = 1000;

  // `maxSubscriptionsPerConnection`: room joins and channel subscriptions counted together, per
  // connection (held plus under way); one more is refused with cap_exceeded.
  RoomService(hub::ShardPool& pool, engine::Engine& engine, NamespacePolicy policy, size_t maxSubscriptionsPerConnection = 1000);
  ~RoomService();

  const NamespaceOptions& optionsFor(const std::string& name) const { return policy_.optionsFor(name); }

  void subscribe(SubscribeRequest request, Reply reply);
  // Called on `shard` (the session's): ends the session's subscription to the stream.
  void unsubscribe(size_t shard, api::ClientSession& session, Kind kind, const std::string& name, Reply reply);
  void publish(PublishRequest request, Reply reply);
  void broadcast(PublishRequest request, Reply reply);
  // Delivers to every connection of `to` joined to the room, on any node; not_found unless the
  // sending connection has joined and `to` is a member.
  void send(DirectRequest request, Reply reply);
  void history(HistoryRequest request, Reply reply);

  void members(MembersRequest request, Reply reply);
  void presenceList(MembersRequest request, Reply reply);
  // `sessionId` empty: a member held by the server API.
  void setPresence(const std::string& room, const std::string& userId, const std::string& sessionId,
                   boost::json::value presence, Reply reply);
  void metadata(const std::string& room, std::optional<boost::json::value> write, std::optional<uint64_t> version, Reply reply);
  void snapshot(SnapshotRequest request, Reply reply);
  void serverJoin(const std::string& room, MemberInfo member, Reply reply);
  void serverLeave(const std::string& room, const std::string& userId, Reply reply);
  void destroy(Kind kind, const std::string& name, Reply reply);
  void channelStats(const std::string& channel, Reply reply);
  // AllNodes (sys.stats, GET /v1/stats): the sums over the live nodes (engine::Nodes) of their
  // last announced totals, this node's fresh, plus `nodes: [{id, address, startedAt, ...totals}]`.
  // ThisNode: this node's totals alone, what the app announces in its node record.
  enum class StatsScope { AllNodes, ThisNode };
  void stats(Reply reply, StatsScope scope = StatsScope::AllNodes);

 private:
  struct Member;
  struct Recovery;
  struct Stream;
  struct LocalSub;
  struct Shard;

  static std::string topicOf(Kind kind, const std::string& name);
  Stream* find(size_t owner, const std::string& topic);
  // The stream if it is still the life `generation` was taken from (not destroyed meanwhile).
  Stream* find(size_t owner, const std::string& topic, uint64_t generation);
  // Runs `fn` on the owner once the stream's head (and a room's metadata) is loaded.
  void withStream(Kind kind, const std::string& name, std::function<void(Stream&)> fn, Reply onError);
  // withStream; for a room on a multi-node engine, `fn` runs once the members connected to other
  // nodes were listed again from Presence (so joins, member lists and snapshots show them).
  void withMembers(Kind kind, const std::string& name, std::function<void(Stream&)> fn, Reply onError);
  void setRemoteMembers(Stream& s, const std::vector<engine::PresenceEntry>& entries);
  void load(size_t owner, const std::string& topic);
  void readHead(size_t owner, const std::string& topic, std::function<void(const engine::EngineError&)> fail,
                std::function<Stream*()> current);
  // Unsubscribes the node from the topic and drops the stream's state.
  void forget(size_t owner, const std::string& topic);
  void onStored(size_t owner, const std::string& topic, const engine::StreamMessage& message, const std::string& epoch);
  void deliver(size_t owner, Stream& s, const engine::StreamMessage& message);
  void catchUp(size_t owner, const std::string& topic);
  bool followHistory(size_t owner, Stream& s, const engine::ReadResult& result);
  void retryCatchUp(size_t owner, const std::string& topic, uint64_t generation);
  void runAfterCatchUp(Stream& s);
  std::string destroyedNotice() const;
  // On the owner: the local part of a destroy (subscriptions on every shard, the stream's state).
  void dropLocal(size_t owner, const std::string& name, const std::string& topic);
  static constexpr uint32_t kCatchUpBatch = 1000;
  static constexpr size_t kMaxPending = 10000;  // announcements held during a catch-up; more are read again
  static constexpr std::chrono::milliseconds kCatchUpRetry{500};
  void fanOut(const std::string& topic, const std::string& eventText);
  void fanOutHereFirst(const std::string& topic, const std::string& eventText);
  // Leads a broker payload tagged with its node (no WebSocket frame starts with 0x01).
  static constexpr char kFromNode = '\x01';
  // Leads a broker payload for one user's connections: kToUser, user id, '\0', the frame.
  static constexpr char kToUser = '\x02';
  void sendToMember(const Stream& s, const DirectRequest& request, Reply reply);
  // Broker side of send(): every node hands the frame to its own connections of the user.
  void deliverToUser(const std::string& topic, const std::string& payload);
  void onAppended(size_t owner, const std::string& topic, const engine::StreamMessage& message);

  // On the session's shard: counts the subscription under way against the connection's limit,
  // or answers cap_exceeded and returns nothing. The returned reply gives the place back.
  std::optional<Reply> reserveSubscription(const SubscribeRequest& request, Reply reply);
  void releaseSubscription(size_t shard, const std::string& sessionId, const std::string& topic);
  void subscribeLoaded(Stream& s, SubscribeRequest request, Reply reply, bool caughtUp);
  void startRecovery(Stream& s, SubscribeRequest request, Reply reply);
  void finishSubscribe(Stream& s, const SubscribeRequest& request, std::vector<std::string> catchUp,
                       std::optional<bool> recovered, Reply reply);
  boost::json::value joinResult(Stream& s, std::optional<bool> recovered) const;

  void addMemberConnection(Stream& s, const MemberInfo& member, const std::string& connectionKey);
  void removeMemberConnection(Stream& s, const std::string& userId, const std::string& connectionKey);
  // Multi-node: `userId` is a member through another node, as Presence last listed (s.remote).
  bool heldElsewhere(const Stream& s, const std::string& userId) const;
  boost::json::value memberJson(const std::string& userId, const Member& m) const;
  // Members in join order after `after` (from the first when nullopt), within the page limits;
  // `next` is set to the last one's join order when more remain.
  boost::json::array membersPage(const Stream& s, std::optional<uint64_t> after, uint32_t limit,
                                 std::optional<uint64_t>& next) const;
  // A page of members (room.members), or of their presence alone (the server API's list).
  void listMembers(MembersRequest request, bool presenceOnly, Reply reply);
  // One room.snapshot page: the members and messages after `cursor` (the first page without),
  // the metadata and position as they are now, and the cursor of the next page (null: done).
  // `read` is what the page's History read returned for `requested` messages (fewer when it
  // stopped at its byte budget: the cursor then goes on past them).
  boost::json::value snapshotPage(const Stream& s, const std::optional<SnapshotCursor>& cursor, const engine::ReadResult& read,
                                  uint32_t requested) const;
  // payload_too_large when a member's metadata or presence is over the namespace's limit.
  std::optional<api::ApiError> memberTooLarge(const std::string& room, const char* what, const boost::json::value& value) const;
  boost::json::value metadataJson(const Stream& s) const;

  void addLocal(size_t shard, api::ClientSession& session, const std::string& topic, LocalSub sub);
  // Forgets idle streams (no members, no subscribers, nothing pending) so memory follows use;
  // the next use reloads them from the engine.
  void armEviction(size_t shard);
  void evictIdle(size_t shard);
  void sessionClosed(size_t shard, api::ClientSession* session);

  hub::ShardPool& pool_;
  engine::Engine& engine_;
  NamespacePolicy policy_;
  size_t maxSubscriptionsPerConnection_;
  std::vector<std::unique_ptr<Shard>> shards_;
  size_t pageBytes_;  // member (or message) JSON per reply page: an eighth of the send queue
  bool multiNode_;    // the engine is shared with other nodes (Redis): members may be elsewhere
};

}  // namespace onair::rooms
