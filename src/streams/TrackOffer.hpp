#pragma once
// What a `streams.publish` request says of one section of its offer: the section's mid carries
// the track `trackId` of kind `kind`.
#include <string>

namespace onair::streams {

struct TrackOffer {
  std::string mid;
  std::string trackId;
  std::string kind;
};

}  // namespace onair::streams
