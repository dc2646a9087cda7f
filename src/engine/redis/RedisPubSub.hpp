#pragma once
// What the engine's Broker needs from pub/sub, whatever stands behind it: one subscriber
// connection to one Redis (RedisSubscriber) or sharded pub/sub over a Redis Cluster
// (cluster::RedisClusterSubscriber, shard channels only).
//
// Contract (every implementation keeps it; RedisSubscriber.hpp has the details):
// - Used on its io_context's thread only.
// - subscribe() records the name (sent again after every reconnect or move) and, when given a
//   confirmation, calls it once, later, never inside the call: ok once Redis confirmed the
//   subscription, an error when not connected or when the way to Redis is lost first.
// - connected(): subscriptions can be expected to reach Redis now (for readiness).
#include <functional>
#include <string>

#include "engine/redis/RedisOutcome.hpp"

namespace onair::engine::redis {

class RedisPubSub {
 public:
  enum class Kind { Channel, Pattern, Shard };
  using Confirmation = std::function<void(const RedisOutcome&)>;

  virtual ~RedisPubSub() = default;

  virtual void subscribe(const std::string& name, Kind kind, Confirmation confirmed) = 0;
  virtual void unsubscribe(const std::string& name, Kind kind) = 0;
  virtual bool connected() const = 0;
};

}  // namespace onair::engine::redis
