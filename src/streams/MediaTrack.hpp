#pragma once
// One track of a published stream: the publisher's m= section that carries it, the id the
// publisher gave it (its MediaStreamTrack id) and the router's producer forwarding it.
#include <string>
#include <vector>

#include "rtc/sfu/ProducerParameters.hpp"
#include "rtc/sfu/RouterIds.hpp"
#include "streams/SimulcastLayer.hpp"

namespace onair::streams {

struct MediaTrack {
  std::string trackId;
  std::string kind;  // "audio", "video" or "data"
  std::string mid;
  rtc::sfu::ProducerId producer = 0;  // audio and video
  rtc::sfu::DataProducerId dataProducer = 0;  // data
  rtc::sfu::ProducerParameters parameters;
  // A simulcast video track: its encodings, lowest first, each with its producer (`producer` is
  // then the highest one's). Empty for a track of one encoding.
  std::vector<SimulcastLayer> layers;
};

}  // namespace onair::streams
