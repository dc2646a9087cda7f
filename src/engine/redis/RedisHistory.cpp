#include "engine/redis/RedisHistory.hpp"

namespace onair::engine::redis {

namespace {
EngineError notYet() { return EngineError{"the Redis History is not implemented yet", 1000}; }
}  // namespace

void RedisHistory::append(AppendRequest, std::function<void(Outcome<AppendResult>)> done) { (void)link_; done(notYet()); }
void RedisHistory::read(ReadRequest, std::function<void(Outcome<ReadResult>)> done) { done(notYet()); }
void RedisHistory::remove(std::string, std::function<void(Outcome<Done>)> done) { done(notYet()); }

}  // namespace onair::engine::redis
