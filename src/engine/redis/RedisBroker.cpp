#include "engine/redis/RedisBroker.hpp"

namespace onair::engine::redis {

namespace {
EngineError notYet() { return EngineError{"the Redis Broker is not implemented yet", 1000}; }
}  // namespace

void RedisBroker::publish(const std::string&, Payload) { (void)link_; }
void RedisBroker::subscribe(const std::string&, std::function<void(Outcome<Done>)> done) { done(notYet()); }
void RedisBroker::unsubscribe(const std::string&) {}
void RedisBroker::onMessage(const RedisSubscriber::Message&) {}
void RedisBroker::onResubscribed() { if (resyncHandler_) resyncHandler_(); }

}  // namespace onair::engine::redis
