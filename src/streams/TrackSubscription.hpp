#pragma once
// What a `streams.subscribe` request says of one section of its offer: the (recvonly) section
// `mid` is to receive the track `trackId` of the stream `streamId`. Empty mid: a data track, which
// arrives on a data channel onair opens, labelled "<streamId>/<trackId>".
#include <string>

namespace onair::streams {

struct TrackSubscription {
  std::string mid;
  std::string streamId;
  std::string trackId;
};

}  // namespace onair::streams
