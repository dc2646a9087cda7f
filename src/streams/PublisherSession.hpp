#pragma once
// One connection's publishing peer connection in one stream room (on the room's owner shard):
// its router transport, the one stream it publishes and that stream's tracks by mid.
#include <cstdint>
#include <string>
#include <vector>

#include "rtc/sfu/RouterIds.hpp"
#include "streams/MediaTrack.hpp"

namespace onair::streams {

struct PublisherSession {
  std::string userId;
  rtc::sfu::TransportId transport = 0;
  std::string streamId;
  std::vector<MediaTrack> tracks;
  bool published = false;     // a publish succeeded once (streamPublished was sent)
  uint64_t answerVersion = 0;  // o= version of the last answer
};

}  // namespace onair::streams
