#pragma once
// What a `streams.publish` request says of one section of its offer: the section's mid carries
// the track `trackId` of kind `kind`. A data track (kind "data") is the publisher's data channel
// labelled `trackId`, and has no mid.
#include <string>

namespace onair::streams {

struct TrackOffer {
  std::string mid;
  std::string trackId;
  std::string kind;
};

}  // namespace onair::streams
