#pragma once
// Stages (semantics: seeds/001 and seeds/003; protocol: docs/protocol.md "Stages"). Each stage is
// owned by one shard (hash of its id), which holds its participants and their statuses, so two
// hosts acting on one request are serialized there: exactly one wins. Stage records and statuses
// are kept in the engine's Registry ("stage:<id>", "stage:<id>:state"), so a restart keeps them;
// the set "stages:index" lists the ids. Memory holds only stages in use: a viewer who left with
// nothing durable is forgotten after `departedTtlMs`, and a stage nobody is connected to then
// leaves memory (its hosts and non-OFF_STAGE statuses are saved first and come back on load).
//
// Media: the stage's `streamRoomId` is a stream room with no record of its own; the stage decides
// who uses it (the media* methods, called for streams::StreamService through app/) and is told
// what its participants publish there. Streams appear on the stage only by being published; a
// participant leaving ON_STAGE (leave, kick, disconnect, its last connection closing) stops
// publishing at once through StageMediaHooks.
#include <boost/json/value.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "api/Reply.hpp"
#include "engine/Engine.hpp"
#include "hub/ShardPool.hpp"
#include "api/ApiError.hpp"
#include "stage/StageMediaHooks.hpp"
#include "stage/StageOptions.hpp"

namespace onair::api {
class ClientSession;
}

namespace onair::stage {

using api::Reply;

// Who is acting: from the verified token.
struct Actor {
  std::string userId;
  std::string name;
  std::string participantId;
  bool host = false;
  bool canPublish = false;
  bool canSubscribe = false;
  boost::json::value attributes;
  int64_t tokenExpiresAtMs = 0;
  size_t shard = 0;
  std::weak_ptr<api::ClientSession> session;
  std::string sessionId;
};

enum class Transition { RequestAccess, CancelRequest, Join, Leave };
enum class HostAction { Grant, Deny, Kick };

class StageService {
 public:
  StageService(hub::ShardPool& pool, engine::Engine& engine, StageOptions options);
  ~StageService();

  // Saves every changed stage now (shutdown); call on `shard`'s thread.
  void saveChanged(size_t shard);
  // Stages held in memory by `shard` (call on its thread): for tests and stats.
  size_t residentStages(size_t shard) const;

  // Server API.
  // A new stage with an id `idPrefix` + random: "st_" for the server API, "demo_" for the demo
  // pages (api/DemoTokenRoutes), so the two never share an id.
  void create(boost::json::object settings, Reply reply, std::string_view idPrefix = "st_");
  void get(const std::string& stageId, Reply reply);
  void list(Reply reply);
  void update(const std::string& stageId, boost::json::object changes, Reply reply);
  void remove(const std::string& stageId, Reply reply);
  void participantsOf(const std::string& stageId, Reply reply);
  // {participants (in memory), connected (participants with a connection), subscribers
  // (connections subscribed to the stage's events)}.
  void stats(const std::string& stageId, Reply reply);
  void disconnect(const std::string& stageId, const std::string& participantId, const std::string& reason, Reply reply);

  // Client ops.
  void open(const std::string& stageId, Actor actor, Reply reply);
  void transition(const std::string& stageId, Actor actor, Transition what, Reply reply);
  void hostAction(const std::string& stageId, Actor actor, HostAction what, std::vector<std::string> userIds, Reply reply);
  void setSubscribeType(const std::string& stageId, Actor actor, std::string participantId, std::string type, Reply reply);

  // Media (any thread; `done` runs on the stage's owner). Set the hooks before the shards start.
  void setMediaHooks(StageMediaHooks hooks);
  // Whether the connection `sessionId` of `userId` opened the stage whose media room is
  // `roomId`: `mine` false when `roomId` is no stage's room (error then empty); else an error
  // when it may not join.
  void admitMedia(const std::string& roomId, const std::string& userId, const std::string& sessionId,
                  std::function<void(bool mine, std::optional<api::ApiError> error)> done);
  // nullopt when that connection's participant is ON_STAGE with PUBLISH.
  void mayPublishMedia(const std::string& roomId, const std::string& userId, const std::string& sessionId,
                       std::function<void(std::optional<api::ApiError>)> done);
  // `tracks`: (publisher's userId, kind) each. Per track "" or "subscribe_type" (the viewer's
  // subscribe type for that publisher keeps it out); permission without SUBSCRIBE.
  using MediaVerdicts = std::variant<std::vector<std::string>, api::ApiError>;
  void maySubscribeMedia(const std::string& roomId, const std::string& userId, const std::string& sessionId,
                         std::vector<std::pair<std::string, std::string>> tracks, std::function<void(MediaVerdicts)> done);
  // What the media room reports: `stream` {streamId, tracks} was published (`first`) or changed;
  // then `streamId` ended. participantStreamsAdded / participantStreamsRemoved to the stage.
  void mediaPublished(const std::string& roomId, const std::string& userId, boost::json::object stream, bool first);
  void mediaUnpublished(const std::string& roomId, const std::string& userId, const std::string& streamId);

 private:
  struct Participant;
  struct Stage;
  struct Shard;

  size_t ownerOf(const std::string& stageId) const;
  // Runs fn on the owner with the stage loaded; not_found when it does not exist.
  void withStage(const std::string& stageId, std::function<void(Stage&)> fn, Reply onError);
  // Runs fn on the owner with the stage whose media room is `roomId`; `missing` when there is none.
  void withRoomStage(const std::string& roomId, std::function<void(Stage&)> fn, std::function<void()> missing);
  // The participant `userId` if `sessionId` is one of its connections to the stage, else null.
  Participant* connectedHere(Stage& s, const std::string& userId, const std::string& sessionId);
  static std::string roomOf(const Stage& s);
  void finishLoad(size_t owner, const std::string& stageId, const std::optional<engine::Record>& record,
                  const std::optional<engine::Record>& state);
  void persist(Stage& s);  // marks the state for the next tick's save
  void save(Stage& s);
  void setStatus(Stage& s, Participant& p, int status);
  // Queues `p` to be forgotten after the TTL if nothing about it is durable and it is gone.
  void noteDeparture(Stage& s, Participant& p);
  void toUser(const Stage& s, const Participant& p, const std::string& event, boost::json::value data);
  void toAll(const Stage& s, const std::string& event, boost::json::value data);
  void toHosts(const Stage& s, const std::string& event, boost::json::value data);
  boost::json::value participantJson(const Participant& p) const;
  boost::json::value participantsJson(const Stage& s) const;
  boost::json::value requestsJson(const Stage& s) const;
  void subscribeConnection(size_t owner, const std::string& stageId, const Actor& actor);
  void connectionClosed(const std::string& stageId, const std::string& userId, const std::string& sessionId);
  void arm(size_t shard);
  void tick(size_t shard);
  void expireTokens(Stage& s, int64_t now);
  void forgetDeparted(Stage& s, int64_t now);
  bool idle(const Stage& s) const;

  hub::ShardPool& pool_;
  engine::Engine& engine_;
  StageOptions options_;
  StageMediaHooks media_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace onair::stage
