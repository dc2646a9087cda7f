#pragma once
// Presence in Redis (see engine/Presence.hpp). STUB: being written.
#include "engine/Presence.hpp"
#include "engine/redis/RedisLink.hpp"

namespace onair::engine::redis {

class RedisPresence final : public Presence {
 public:
  explicit RedisPresence(RedisLink& link) : link_(link) {}
  void put(std::string room, PresenceEntry entry, std::function<void(Outcome<Done>)> done) override;
  void remove(std::string room, std::string userId, std::function<void(Outcome<Done>)> done) override;
  void list(std::string room, std::function<void(Outcome<std::vector<PresenceEntry>>)> done) override;
  void clear(std::string room, std::function<void(Outcome<Done>)> done) override;

 private:
  RedisLink& link_;
};

}  // namespace onair::engine::redis
