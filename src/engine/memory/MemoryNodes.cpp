#include "engine/memory/MemoryNodes.hpp"

namespace onair::engine::memory {

void MemoryNodes::announce(NodeAnnouncement self, std::function<void(Outcome<Done>)> done) {
  {
    std::lock_guard lock(mutex_);
    self_ = NodeRecord{selfId_, std::move(self.address), self.startedAtMs, std::move(self.statsJson)};
  }
  done(Done{});
}

void MemoryNodes::list(std::function<void(Outcome<std::vector<NodeRecord>>)> done) {
  std::vector<NodeRecord> nodes;
  {
    std::lock_guard lock(mutex_);
    if (self_) nodes.push_back(*self_);
  }
  done(std::move(nodes));
}

void MemoryNodes::leave(std::function<void(Outcome<Done>)> done) {
  {
    std::lock_guard lock(mutex_);
    self_.reset();
  }
  done(Done{});
}

}  // namespace onair::engine::memory
