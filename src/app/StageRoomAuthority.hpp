#pragma once
// Stages decide who uses their media rooms (docs/protocol.md "Stages", media): the glue between
// streams::StreamService, which asks, and stage::StageService, which knows the participants.
// A connection that opened the stage may join its room; it may publish while ON_STAGE with
// PUBLISH, and subscribe with SUBSCRIBE, each track filtered by its subscribe type for the
// publisher. What it publishes is reported to the stage (participantStreams* events).
#include "stage/StageService.hpp"
#include "streams/RoomAuthority.hpp"

namespace onair::app {

class StageRoomAuthority final : public streams::RoomAuthority {
 public:
  explicit StageRoomAuthority(stage::StageService& stages) : stages_(stages) {}

  void admit(const std::string& roomId, const streams::StreamActor& actor, std::function<void(Decision)> done) override;
  void mayPublish(const std::string& roomId, const streams::StreamActor& actor, std::function<void(std::optional<api::ApiError>)> done) override;
  void maySubscribe(const std::string& roomId, const streams::StreamActor& actor, std::vector<Track> tracks,
                    std::function<void(TrackVerdicts)> done) override;
  void published(const std::string& roomId, const std::string& userId, const boost::json::object& stream, bool first) override;
  void unpublished(const std::string& roomId, const std::string& userId, const std::string& streamId) override;

 private:
  stage::StageService& stages_;
};

}  // namespace onair::app
