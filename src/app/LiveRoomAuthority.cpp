#include "app/LiveRoomAuthority.hpp"

#include "api/ClientSession.hpp"

namespace onair::app {

LiveRoomAuthority::LiveRoomAuthority(hub::ShardPool& pool, live::LiveService& live, streams::StreamService& streams)
    : pool_(pool), live_(live) {
  live_.onWebrtcRelease([this, &streams](size_t shard, std::weak_ptr<api::ClientSession> session, const std::string& roomId) {
    auto s = session.lock();
    if (!s) return;
    streams::StreamActor actor;
    actor.shard = shard;
    actor.session = session;
    actor.sessionId = s->sessionId();
    streams.letGo(roomId, std::move(actor));
    if (remoteLetGo_) remoteLetGo_(*s, roomId);
  });
}

// The slots are kept on the connection's shard: asked there (a relayed connection's on its own
// node, which vouches for them: relay/SignalRelay). A broadcast's producer may name any
// room as its signalingChannelId, so its viewers get only as far as the producer itself: into a
// room the producer has joined on its own right (a broadcast of the server API: anywhere).
void LiveRoomAuthority::admit(const std::string& roomId, const streams::StreamActor& actor, std::function<void(Decision)> done) {
  pool_.post(actor.shard, [this, roomId, actor, done] {
    auto session = actor.session.lock();
    auto producer = session ? live_.webrtcSlotProducer(actor.shard, session.get(), roomId) : std::nullopt;
    // A connection relayed from another node: its slot is there, and that node vouches for it.
    if (!producer && session && session->relayed()) producer = session->vouchedProducer(roomId);
    if (!producer) return done(Decision::pass());
    done(producer->empty() ? Decision::admit() : Decision::admitIfJoined(*producer));
  });
}

void LiveRoomAuthority::mayPublish(const std::string&, const streams::StreamActor&, std::function<void(std::optional<api::ApiError>)> done) {
  done(api::ApiError{api::ErrorCode::Permission, "a live viewer in the broadcast's webrtc room only subscribes", std::nullopt});
}

// The slot is the permission: every track of the room.
void LiveRoomAuthority::maySubscribe(const std::string&, const streams::StreamActor&, std::vector<Track> tracks,
                                     std::function<void(TrackVerdicts)> done) {
  done(std::vector<std::string>(tracks.size()));
}

}  // namespace onair::app
