#include "engine/redis/RedisRegistry.hpp"

namespace onair::engine::redis {

namespace {
EngineError notYet() { return EngineError{"the Redis Registry is not implemented yet", 1000}; }
}  // namespace

void RedisRegistry::get(std::string, std::function<void(Outcome<std::optional<Record>>)> done) { (void)link_; done(notYet()); }
void RedisRegistry::put(std::string, std::string, std::optional<uint64_t>, std::function<void(Outcome<PutResult>)> done) { done(notYet()); }
void RedisRegistry::remove(std::string, std::function<void(Outcome<Done>)> done) { done(notYet()); }
void RedisRegistry::addMember(std::string, std::string, std::function<void(Outcome<bool>)> done) { done(notYet()); }
void RedisRegistry::removeMember(std::string, std::string, std::function<void(Outcome<bool>)> done) { done(notYet()); }

}  // namespace onair::engine::redis
