#pragma once
// Live broadcasts let their webrtc consumers into the stream room the transport names
// (docs/protocol.md "Live broadcasts", webrtc): the glue between streams::StreamService, which
// asks, and live::LiveService, which holds the slots. A connection holding a slot granted with
// the webrtc transport may join that room (its `signalingChannelId`) and subscribe to everything
// there, and never publish; it is let go from the room when its last such slot goes.
#include "hub/ShardPool.hpp"
#include "live/LiveService.hpp"
#include "streams/RoomAuthority.hpp"
#include "streams/StreamService.hpp"

namespace onair::app {

class LiveRoomAuthority final : public streams::RoomAuthority {
 public:
  // Sets live's release hook to let connections go from `streams`; all three outlive this.
  LiveRoomAuthority(hub::ShardPool& pool, live::LiveService& live, streams::StreamService& streams);

  // Several nodes: also called (on the connection's shard) when a connection's last slot naming a
  // room goes, for a room another node owns (relay/SignalRelay::withdrawVouch). Set before start.
  void setRemoteLetGo(std::function<void(api::ClientSession&, const std::string& roomId)> letGo) { remoteLetGo_ = std::move(letGo); }

  void admit(const std::string& roomId, const streams::StreamActor& actor, std::function<void(Decision)> done) override;
  void mayPublish(const std::string& roomId, const streams::StreamActor& actor, std::function<void(std::optional<api::ApiError>)> done) override;
  void maySubscribe(const std::string& roomId, const streams::StreamActor& actor, std::vector<Track> tracks,
                    std::function<void(TrackVerdicts)> done) override;

 private:
  hub::ShardPool& pool_;
  live::LiveService& live_;
  std::function<void(api::ClientSession&, const std::string& roomId)> remoteLetGo_;
};

}  // namespace onair::app
