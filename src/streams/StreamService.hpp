#pragma once
// Stream rooms, the control plane of the streams surface (semantics: PrivMX StreamApi, seeds/002;
// protocol: docs/protocol.md "Stream rooms"). No media here.
//
// Storage: each room is the Registry record "streamroom:<id>"; the Registry set
// "streamrooms:ctx:<contextId>" lists a context's room ids in creation order. The Registry has
// no multi-key transaction, so the two are kept in an order that makes the set a superset of the
// rooms: create adds the id to the set before it writes the record, delete removes the record
// before the id. A listed id without a record (a create under way or cut short) is skipped.
// A room's version is its record's Registry version: updates are compare-and-set on it.
//
// Membership: the connections joined to a room are held by the room's owner shard
// (hash of "sr:<id>"), which sends member and room events to them. Context subscriptions are hub
// topics "sc:<contextId>". A connection's joins and subscriptions end when it closes.
//
// Media: a joined room's MediaRoom (its Router on the owner shard's WebRtcServer) holds the
// connections' publishing and subscribing peer connections; leaving, being let go or closing
// removes them, and a room with no media left destroys its MediaRoom.
// Events are sent once per connection: a joined connection that is also subscribed to the
// room's context gets room events through the context only.
//
// Authorities (RoomAuthority): when the room's record is missing or refuses a connection, the
// authorities added at start-up are asked in turn; a connection one of them admits is a member
// like any other, but that authority (not the token's `stream` grants) decides its publishes and
// subscribes, and hears of the streams it publishes.
#include <boost/json/value.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/ApiError.hpp"
#include "api/Reply.hpp"
#include "engine/Engine.hpp"
#include "hub/ShardPool.hpp"
#include "streams/RefusedSections.hpp"
#include "streams/RoomAuthority.hpp"
#include "streams/StreamActor.hpp"
#include "streams/StreamListQuery.hpp"
#include "streams/StreamOptions.hpp"
#include "streams/StreamRoomSpec.hpp"
#include "streams/StreamRoomUpdate.hpp"
#include "streams/TrackOffer.hpp"
#include "streams/TrackSubscription.hpp"

namespace onair::rtc {
class WebRtcServerPool;
}
namespace onair::rtc::sdp {
struct SessionDescription;
}

namespace onair::streams {

using api::Reply;
class MediaRoom;

class StreamService {
 public:
  // `media` (may be null: media ops then fail with unsupported_transport) outlives the service.
  StreamService(hub::ShardPool& pool, engine::Engine& engine, StreamOptions options, rtc::WebRtcServerPool* media = nullptr);
  ~StreamService();

  // invalid_argument / payload_too_large when `spec` breaks the limits (users, metas, policy).
  std::optional<api::ApiError> check(const StreamRoomSpec& spec) const;

  // → {streamRoomId}; `streamRoomCreated` to the context's subscribers.
  void create(StreamRoomSpec spec, StreamActor actor, Reply reply);
  // → the room; a client must be one of its users or managers.
  void get(const std::string& roomId, StreamActor actor, Reply reply);
  // → {readItems, totalAvailable}; a client sees the rooms it is a user or manager of.
  void list(StreamListQuery query, StreamActor actor, Reply reply);
  // Managers only; a full overwrite → {} and `streamRoomUpdated`.
  void update(const std::string& roomId, StreamRoomUpdate update, StreamActor actor, Reply reply);
  // Managers only → {} and `streamRoomDeleted`; joined connections are let go.
  void remove(const std::string& roomId, StreamActor actor, Reply reply);

  // Users and managers only; → {streamRoomId, members: [userId…]} and `streamMemberJoined`.
  void join(const std::string& roomId, StreamActor actor, Reply reply);
  // → {} and `streamMemberLeft` when the connection was joined.
  void leave(const std::string& roomId, StreamActor actor, Reply reply);
  void subscribeContext(const std::string& contextId, StreamActor actor, Reply reply);
  void unsubscribeContext(const std::string& contextId, StreamActor actor, Reply reply);

  // Media (docs/protocol.md "Media"). The connection must have joined the room (else
  // permission); publish and unpublish need the grant `publish`, subscribe `subscribe` — or, for
  // a connection an authority admitted, that authority's word (it may refuse single tracks).
  using Offer = std::shared_ptr<const rtc::sdp::SessionDescription>;
  // → {sdp, streamId}; streamPublished (first) or streamUpdated (later offers) to the members.
  void publish(const std::string& roomId, Offer offer, std::vector<TrackOffer> tracks, StreamActor actor, Reply reply);
  // → {}; streamUnpublished to the members.
  void unpublish(const std::string& roomId, const std::string& streamId, StreamActor actor, Reply reply);
  // → {streamRoomId, streams: [{streamId, userId, tracks: [{trackId, kind}]}]}
  void listStreams(const std::string& roomId, StreamActor actor, Reply reply);
  // Simulcast: which encoding the connection receives of `streamId`'s tracks (all, or `trackId`)
  // → {} (MediaRoom::setQuality). Needs only the join.
  void setQuality(const std::string& roomId, std::string streamId, std::string trackId, std::string quality, StreamActor actor, Reply reply);
  // → {sdp, rejected: [{mid, reason}]}
  void subscribe(const std::string& roomId, Offer offer, std::vector<TrackSubscription> subscriptions, StreamActor actor, Reply reply);

  // Asked, in this order, when a join is refused or finds no room; call before the shards start.
  // `authority` outlives the service.
  void addAuthority(RoomAuthority& authority);
  // For the authorities' surfaces, from any thread. The connection leaves the room as by
  // streams.leaveStreamRoom (its media ends, streamMemberLeft).
  void letGo(const std::string& roomId, StreamActor actor);
  // `userId`'s connections stop publishing in the room (they stay members and keep receiving).
  void stopPublishing(const std::string& roomId, const std::string& userId);
  // `viewerUserId`'s connections stop receiving the tracks `publisherUserId` publishes in the
  // room whose kind is not allowed.
  void dropConsumers(const std::string& roomId, const std::string& viewerUserId, const std::string& publisherUserId, bool audio,
                     bool video);

 private:
  struct Member;
  struct Room;
  struct Shard;
  struct SessionState;

  size_t ownerOf(const std::string& roomId) const;
  // Reads the room (fn runs on the engine's thread); not_found when missing, permission when a
  // client lacks the grant (`join` or `manage`, for Members; `manage`, for Managers) or is not
  // among `who`.
  enum class Who { Members, Managers };
  void load(const std::string& roomId, const StreamActor& actor, Who who,
            std::function<void(boost::json::object room, uint64_t version)> fn, Reply onError);
  void write(const std::string& roomId, boost::json::object room, std::optional<uint64_t> expected,
             std::function<void(uint64_t version)> fn, Reply reply);

  // On the owner: event texts to joined connections (but not those subscribed to `contextId`
  // when it is given: they get it from the context), and to the context's subscribers.
  void toMembers(const std::string& roomId, const std::string& text, const std::string& skipSubscribersOf);
  void toContext(const std::string& contextId, const std::string& text);
  void roomEvent(const std::string& event, const std::string& roomId, const std::string& contextId, boost::json::value data);
  // On the owner: the connections whose users are no longer in the room leave it.
  void dropStrangers(const std::string& roomId, const boost::json::object& room);
  void removeMember(const std::string& roomId, const std::string& sessionId, bool announce);
  // A join the room's record allowed (`authority` null, `contextId` the room's) or an authority
  // admitted: on the owner, then recorded on the connection's shard.
  // `requiredMember`: refused (permission) unless hasOwnMember(roomId, it, authority).
  void enter(const std::string& roomId, const std::string& contextId, const StreamActor& actor, RoomAuthority* authority, Reply reply,
             std::optional<std::string> requiredMember = std::nullopt);
  // On the owner: whether a connection of `userId` is a member of the room that `except` did not
  // admit (the room's own check or another authority did).
  bool hasOwnMember(const std::string& roomId, const std::string& userId, const RoomAuthority* except) const;
  // Asks authorities_[next…] to admit the connection; when none does, replies the first
  // authority's refusal, else `refusal` (the room's own).
  void askAuthorities(const std::string& roomId, const StreamActor& actor, size_t next, api::ApiError refusal, bool refusedByAuthority,
                      Reply reply);

  // What a media op needs: the connection's token grant (`publish` or `subscribe`) in the room's
  // context, or the word of the authority that admitted it.
  enum class Need { Nothing, Publish, Unpublish, Subscribe };
  using MediaFn = std::function<api::Result(MediaRoom&, const RefusedSections&)>;
  // On the owner: runs `fn` with the room's media when the connection has joined the room and
  // may do what it needs (`asked`: the tracks a subscribe asks for); else replies the error.
  void withMedia(const std::string& roomId, const StreamActor& actor, Need need, MediaFn fn, Reply reply,
                 std::vector<TrackSubscription> asked = {});
  // On the owner, for a connection `authority` admitted: runs `fn` once the authority allows what
  // it needs (a subscribe's refused tracks go to `fn` as RefusedSections), else replies its error.
  void askAuthority(size_t owner, const std::string& roomId, const StreamActor& actor, RoomAuthority& authority, Need need, const MediaFn& fn,
                    const Reply& reply, const std::vector<TrackSubscription>& asked);
  // On the owner: `fn` on the room's media (made when missing, dropped again when left empty).
  void runMedia(size_t owner, const std::string& roomId, const MediaFn& fn, const RefusedSections& refused, const Reply& reply);
  // On the owner: tells the authority that admitted `sessionId` of its stream's event.
  void tellAuthority(size_t owner, const std::string& roomId, std::string_view event, const std::string& sessionId,
                     const boost::json::object& data);
  bool joined(size_t owner, const std::string& roomId, const std::string& sessionId) const;

  // On the connection's shard: its state, with the close hook registered once.
  SessionState* sessionState(const StreamActor& actor);
  void sessionClosed(size_t shard, api::ClientSession* session);

  hub::ShardPool& pool_;
  engine::Engine& engine_;
  StreamOptions options_;
  rtc::WebRtcServerPool* media_;
  std::vector<RoomAuthority*> authorities_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace onair::streams
