#pragma once
// Where the hub delivers fan-out frames. Implemented by WsConnection; tests use fakes.
#include "net/OutFrame.hpp"
#include "net/SharedFrame.hpp"

namespace onair::net {

class FrameSink {
 public:
  virtual ~FrameSink() = default;
  // Queues a frame for sending, on this sink's loop thread (retaining it while queued). Never
  // blocks, never copies the bytes, and never subscribes or unsubscribes anything synchronously
  // (the hub walks its list live).
  virtual void send(OutFrame& frame) = 0;

  // Convenience for a frame meant for this sink alone.
  void send(const SharedFrame& bytes) {
    OutFrame* frame = OutFrame::make(bytes);
    frame->retain();
    send(*frame);
    frame->release();
  }
};

}  // namespace onair::net
