#pragma once
// The sub-type of a y-protocols sync message (y-protocols/sync.js).
#include <cstdint>

namespace onair::collab::yjs {

enum class SyncStep : uint8_t {
  Step1 = 0,   // payload: the sender's state vector; answered with Step2
  Step2 = 1,   // payload: an update with what the receiver lacks
  Update = 2,  // payload: an update made since (same layout as Step2)
};

}  // namespace onair::collab::yjs
