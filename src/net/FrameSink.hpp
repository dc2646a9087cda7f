#pragma once
// Where the hub delivers fan-out frames. Implemented by WsConnection; tests use fakes.
#include "net/SharedFrame.hpp"

namespace onair::net {

class FrameSink {
 public:
  virtual ~FrameSink() = default;
  // Queues a frame for sending on this sink's loop thread. Never blocks, never copies the frame,
  // and never subscribes or unsubscribes anything synchronously (the hub walks its list live).
  virtual void send(const SharedFrame& frame) = 0;
};

}  // namespace onair::net
