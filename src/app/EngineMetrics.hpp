#pragma once
// The engine's part of /metrics (Prometheus text): onair_engine_ready for every engine, and for
// the Redis engine onair_redis_up plus its connections' counters (onair_redis_*_total, labelled
// connection="commands" or "pubsub"). Callable from any thread.
#include <string>

namespace onair::engine {
class Engine;
namespace redis {
class RedisEngine;
}
}  // namespace onair::engine

namespace onair::app {

// `redis` is the same engine when it is the Redis engine, else null.
std::string engineMetricsText(const engine::Engine& engine, const engine::redis::RedisEngine* redis);

}  // namespace onair::app
