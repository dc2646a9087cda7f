#pragma once
// Presence in process memory (see engine/Presence.hpp). Thread-safe: rooms owned by different
// shards share it. Completions run synchronously, before the call returns.
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "engine/Presence.hpp"

namespace onair::engine::memory {

class MemoryPresence final : public Presence {
 public:
  void put(std::string room, PresenceEntry entry, std::function<void(Outcome<Done>)> done) override;
  void remove(std::string room, std::string userId, std::function<void(Outcome<Done>)> done) override;
  void list(std::string room, std::function<void(Outcome<std::vector<PresenceEntry>>)> done) override;
  void clear(std::string room, std::function<void(Outcome<Done>)> done) override;

 private:
  std::mutex mutex_;
  std::map<std::string, std::vector<PresenceEntry>> rooms_;  // entries in join order
};

}  // namespace onair::engine::memory
