#include "net/OutFrame.hpp"

#include <vector>

namespace onair::net {
namespace {

// Bounds what a thread keeps idle: enough for a loop turn's replies, never a large buffer.
constexpr size_t kMaxFree = 1024;
constexpr size_t kMaxKeptCapacity = 4096;

struct FreeList {
  std::vector<OutFrame*> frames;
  ~FreeList() {
    for (OutFrame* f : frames) delete f;
  }
};

thread_local FreeList t_free;

}  // namespace

OutFrame* OutFrame::makeOwned() {
  if (t_free.frames.empty()) return new OutFrame();
  // Kept frames are whole objects, reset by recycle(): empty buffer, no holder, no flags.
  OutFrame* f = t_free.frames.back();
  t_free.frames.pop_back();
  return f;
}

void OutFrame::recycle() {
  if (bytes_ || owned_.capacity() > kMaxKeptCapacity || t_free.frames.size() >= kMaxFree) {
    delete this;
    return;
  }
  owned_.clear();
  size_ = 0;
  flags_ = 0;
  t_free.frames.push_back(this);
}

}  // namespace onair::net
