#pragma once
// One encoding of a simulcast video track (a=rid in the publisher's section) and the router's
// producer receiving it.
#include <string>

#include "rtc/sfu/RouterIds.hpp"

namespace onair::streams {

struct SimulcastLayer {
  std::string rid;
  rtc::sfu::ProducerId producer = 0;
};

}  // namespace onair::streams
