#pragma once
// updateStreamRoom: the new definition and the version it was based on.
#include <cstdint>

#include "streams/StreamRoomSpec.hpp"

namespace onair::streams {

struct StreamRoomUpdate {
  StreamRoomSpec spec;
  uint64_t version = 0;              // the version the caller read; another one is a conflict
  bool force = false;                // overwrite whatever version is stored
  bool forceGenerateNewKey = false;  // recorded (keyGeneration + 1); it matters to clients only
};

}  // namespace onair::streams
