#pragma once
// A frame queued on the connections of one loop: the shared encoded bytes plus a count of the
// send queues holding it. The count is a plain integer because an OutFrame never leaves the loop
// that made it; only `bytes_` (made once per message, shared across loops) is atomically counted.
// Why: an atomic shared_ptr increment per subscriber cost 12 % of a fan-out core (bench/fanout).
#include <cstdint>
#include <string>

#include "net/SharedFrame.hpp"

namespace onair::net {

class OutFrame {
 public:
  enum Flags : uint8_t {
    Droppable = 1,  // a media chunk: a lagging connection may skip it (up to the next Key)
    Key = 2,        // a point a decoder can start from
  };

  // Starts with no holder: retain() it before handing it out, release() when done.
  static OutFrame* make(SharedFrame bytes, uint8_t flags = 0) { return new OutFrame(std::move(bytes), flags); }

  void retain() { ++refs_; }
  void release() {
    if (--refs_ == 0) delete this;
  }
  const std::string& bytes() const { return *bytes_; }
  // The frame's length, read per subscriber without going through the shared string.
  size_t size() const { return size_; }
  uint8_t flags() const { return flags_; }

 private:
  OutFrame(SharedFrame bytes, uint8_t flags) : bytes_(std::move(bytes)), size_(bytes_->size()), flags_(flags) {}
  SharedFrame bytes_;
  size_t size_;
  uint32_t refs_ = 0;
  uint8_t flags_ = 0;
};

}  // namespace onair::net
