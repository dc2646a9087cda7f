#pragma once
// Where the hub delivers fan-out frames. Implemented by WsConnection; tests use fakes.
#include "net/SharedFrame.hpp"

namespace onair::net {

class FrameSink {
 public:
  virtual ~FrameSink() = default;
  // Queues a frame for sending on this sink's loop thread. Never blocks, never copies the frame.
  virtual void send(const SharedFrame& frame) = 0;
};

}  // namespace onair::net
