#pragma once
// What a stage asks of the media plane (its media room, the stage record's `streamRoomId`); set
// by the app (app/Server: streams::StreamService). Callable from any thread; unset hooks do
// nothing (a server without media, unit tests).
#include <functional>
#include <string>

namespace onair::stage {

struct StageMediaHooks {
  // `userId` stops publishing in the room at once (streamUnpublished; the room then reports it
  // back as StageService::mediaUnpublished).
  std::function<void(const std::string& roomId, const std::string& userId)> stopPublishing;
  // `viewerUserId` stops receiving the tracks of `publisherUserId` whose kind is not allowed.
  std::function<void(const std::string& roomId, const std::string& viewerUserId, const std::string& publisherUserId, bool audio, bool video)>
      dropConsumers;
};

}  // namespace onair::stage
