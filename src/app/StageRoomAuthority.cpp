#include "app/StageRoomAuthority.hpp"

namespace onair::app {

void StageRoomAuthority::admit(const std::string& roomId, const streams::StreamActor& actor, std::function<void(Decision)> done) {
  stages_.admitMedia(roomId, actor.userId, actor.sessionId, [done](bool mine, std::optional<api::ApiError> error) {
    if (!mine) return done(Decision::pass());
    if (error) return done(Decision::refuse(std::move(*error)));
    done(Decision::admit());
  });
}

void StageRoomAuthority::mayPublish(const std::string& roomId, const streams::StreamActor& actor,
                                    std::function<void(std::optional<api::ApiError>)> done) {
  stages_.mayPublishMedia(roomId, actor.userId, actor.sessionId, std::move(done));
}

void StageRoomAuthority::maySubscribe(const std::string& roomId, const streams::StreamActor& actor, std::vector<Track> tracks,
                                      std::function<void(TrackVerdicts)> done) {
  std::vector<std::pair<std::string, std::string>> asked;
  for (auto& t : tracks) asked.emplace_back(std::move(t.publisherUserId), std::move(t.kind));
  stages_.maySubscribeMedia(roomId, actor.userId, actor.sessionId, std::move(asked), [done](stage::StageService::MediaVerdicts verdicts) {
    if (auto* error = std::get_if<api::ApiError>(&verdicts)) return done(std::move(*error));
    done(std::move(std::get<std::vector<std::string>>(verdicts)));
  });
}

void StageRoomAuthority::published(const std::string& roomId, const std::string& userId, const boost::json::object& stream, bool first) {
  stages_.mediaPublished(roomId, userId, stream, first);
}

void StageRoomAuthority::unpublished(const std::string& roomId, const std::string& userId, const std::string& streamId) {
  stages_.mediaUnpublished(roomId, userId, streamId);
}

}  // namespace onair::app
