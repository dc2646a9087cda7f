#pragma once
// The y-protocols sync message (y-protocols/sync.js), carried by y-websocket and Hocuspocus frames
// after their own message type:
//
//   +------------------+-----------------------------------------+
//   | var uint step    | var uint8 array payload                 |
//   | 0 step 1         |   state vector (StateVector.hpp)        |
//   | 1 step 2         |   update, encoding v1 (Update.hpp)      |
//   | 2 update         |   update, encoding v1                   |
//   +------------------+-----------------------------------------+
//
// Contract: read() checks the step and the payload's length against the bytes that remain and
// leaves the payload undecoded (a view into the reader's input; decode it with StateVector or
// UpdateDecoder under UpdateLimits). An unknown step fails with UnknownSyncStep (yjs throws).
#include <cstdint>
#include <span>

#include "collab/yjs/Lib0Reader.hpp"
#include "collab/yjs/Lib0Writer.hpp"
#include "collab/yjs/SyncStep.hpp"

namespace onair::collab::yjs {

struct SyncPayload {
  SyncStep step = SyncStep::Step1;
  std::span<const uint8_t> bytes;  // state vector (Step1) or update (Step2, Update)

  bool read(Lib0Reader& reader);
  void write(Lib0Writer& writer) const;
};

}  // namespace onair::collab::yjs
