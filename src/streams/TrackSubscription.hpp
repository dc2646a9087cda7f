#pragma once
// What a `streams.subscribe` request says of one section of its offer: the (recvonly) section
// `mid` is to receive the track `trackId` of the stream `streamId`.
#include <string>

namespace onair::streams {

struct TrackSubscription {
  std::string mid;
  std::string streamId;
  std::string trackId;
};

}  // namespace onair::streams
