#pragma once
// A frame queued on the connections of one loop: the encoded bytes plus a count of the send
// queues holding it. The count is a plain integer because an OutFrame never leaves the loop that
// made it. Two kinds:
// - shared (make): bytes made once per message and shared across loops (fan-out); only those
//   bytes are atomically counted. Why: an atomic shared_ptr increment per subscriber cost 12 % of
//   a fan-out core (bench/fanout).
// - owned (makeOwned): a frame for one connection (a reply, a control frame), encoded straight
//   into a buffer the frame owns. Released owned frames go back to a small per-thread free list
//   with their buffer's capacity, so a reply in steady state allocates nothing (the request path
//   of bench/live_churn made four allocations per reply before).
#include <cstdint>
#include <string>
#include <string_view>

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
  // An owned frame whose buffer is empty (capacity kept from an earlier use): append the
  // encoded frame to buffer(), then seal() before queueing it. Same holder rules as make().
  static OutFrame* makeOwned();

  void retain() { ++refs_; }
  void release() {
    if (--refs_ == 0) recycle();
  }
  const std::string& bytes() const { return bytes_ ? *bytes_ : owned_; }
  // The frame's length, read per subscriber without going through the shared string.
  size_t size() const { return size_; }
  uint8_t flags() const { return flags_; }

  std::string& buffer() { return owned_; }
  void seal() { size_ = owned_.size(); }

 private:
  OutFrame() = default;
  OutFrame(SharedFrame bytes, uint8_t flags) : bytes_(std::move(bytes)), size_(bytes_->size()), flags_(flags) {}
  // Deletes a shared frame; an owned one goes back to this thread's free list when there is room.
  void recycle();

  SharedFrame bytes_;
  std::string owned_;
  size_t size_ = 0;
  uint32_t refs_ = 0;
  uint8_t flags_ = 0;
};

}  // namespace onair::net
