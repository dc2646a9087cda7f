#include "engine/redis/RedisPresence.hpp"

namespace onair::engine::redis {

namespace {
EngineError notYet() { return EngineError{"the Redis Presence is not implemented yet", 1000}; }
}  // namespace

void RedisPresence::put(std::string, PresenceEntry, std::function<void(Outcome<Done>)> done) { (void)link_; done(notYet()); }
void RedisPresence::remove(std::string, std::string, std::function<void(Outcome<Done>)> done) { done(notYet()); }
void RedisPresence::list(std::string, std::function<void(Outcome<std::vector<PresenceEntry>>)> done) { done(notYet()); }
void RedisPresence::clear(std::string, std::function<void(Outcome<Done>)> done) { done(notYet()); }

}  // namespace onair::engine::redis
