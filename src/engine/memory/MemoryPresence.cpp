#include "engine/memory/MemoryPresence.hpp"

#include <algorithm>

namespace onair::engine::memory {

void MemoryPresence::put(std::string room, PresenceEntry entry, std::function<void(Outcome<Done>)> done) {
  {
    std::lock_guard lock(mutex_);
    auto& entries = rooms_[room];
    auto it = std::find_if(entries.begin(), entries.end(), [&](const auto& e) { return e.userId == entry.userId; });
    if (it != entries.end()) *it = std::move(entry);
    else entries.push_back(std::move(entry));
  }
  done(Done{});
}

void MemoryPresence::remove(std::string room, std::string userId, std::function<void(Outcome<Done>)> done) {
  {
    std::lock_guard lock(mutex_);
    auto r = rooms_.find(room);
    if (r != rooms_.end()) {
      std::erase_if(r->second, [&](const auto& e) { return e.userId == userId; });
      if (r->second.empty()) rooms_.erase(r);
    }
  }
  done(Done{});
}

void MemoryPresence::list(std::string room, std::function<void(Outcome<std::vector<PresenceEntry>>)> done) {
  std::vector<PresenceEntry> out;
  {
    std::lock_guard lock(mutex_);
    auto r = rooms_.find(room);
    if (r != rooms_.end()) out = r->second;
  }
  done(std::move(out));
}

void MemoryPresence::clear(std::string room, std::function<void(Outcome<Done>)> done) {
  {
    std::lock_guard lock(mutex_);
    rooms_.erase(room);
  }
  done(Done{});
}

}  // namespace onair::engine::memory
