#include "app/LiveRoomAuthority.hpp"

#include "api/ClientSession.hpp"

namespace onair::app {

LiveRoomAuthority::LiveRoomAuthority(hub::ShardPool& pool, live::LiveService& live, streams::StreamService& streams)
    : pool_(pool), live_(live) {
  live_.onWebrtcRelease([&streams](size_t shard, std::weak_ptr<api::ClientSession> session, const std::string& roomId) {
    auto s = session.lock();
    if (!s) return;
    streams::StreamActor actor;
    actor.shard = shard;
    actor.session = session;
    actor.sessionId = s->sessionId();
    streams.letGo(roomId, std::move(actor));
  });
}

// The slots are kept on the connection's shard: asked there.
void LiveRoomAuthority::admit(const std::string& roomId, const streams::StreamActor& actor, std::function<void(Decision)> done) {
  pool_.post(actor.shard, [this, roomId, actor, done] {
    auto session = actor.session.lock();
    done(session && live_.holdsWebrtcSlot(actor.shard, session.get(), roomId) ? Decision::admit() : Decision::pass());
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
