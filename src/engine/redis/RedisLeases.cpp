#include "engine/redis/RedisLeases.hpp"

namespace onair::engine::redis {

namespace {
EngineError notYet() { return EngineError{"the Redis Leases is not implemented yet", 1000}; }
}  // namespace

void RedisLeases::acquire(const std::string&, const std::string&, uint32_t, int64_t, std::function<void(Outcome<SlotGrant>)> done) { (void)link_; done(notYet()); }
void RedisLeases::renew(const std::string&, const std::string&, int64_t, std::function<void(Outcome<std::optional<int64_t>>)> done) { done(notYet()); }
void RedisLeases::release(const std::string&, const std::string&, std::function<void(Outcome<Done>)> done) { done(notYet()); }
void RedisLeases::hit(const std::string&, uint32_t, int64_t, std::function<void(Outcome<RateResult>)> done) { done(notYet()); }

}  // namespace onair::engine::redis
