#include "app/EngineMetrics.hpp"

#include <fmt/format.h>

#include "engine/redis/RedisEngine.hpp"

namespace onair::app {
namespace {

using engine::redis::RedisCounters;

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void counter(std::string& out, const char* name, const char* help, const RedisCounters& commands,
             const RedisCounters& pubsub, uint64_t RedisCounters::*field) {
  header(out, name, "counter", help);
  out += fmt::format("{}{{connection=\"commands\"}} {}\n", name, commands.*field);
  out += fmt::format("{}{{connection=\"pubsub\"}} {}\n", name, pubsub.*field);
}

}  // namespace

std::string engineMetricsText(const engine::Engine& engine, const engine::redis::RedisEngine* redis) {
  std::string out;
  header(out, "onair_engine_ready", "gauge", "1 when the engine can serve requests (as /readyz says).");
  out += fmt::format("onair_engine_ready{{engine=\"{}\"}} {}\n", engine.name(), engine.ready() ? 1 : 0);
  if (!redis) return out;
  header(out, "onair_redis_up", "gauge", "1 when both Redis connections (commands and pub/sub) are up.");
  out += fmt::format("onair_redis_up {}\n", redis->ready() ? 1 : 0);
  const RedisCounters commands = redis->clientCounters();
  const RedisCounters pubsub = redis->subscriberCounters();
  counter(out, "onair_redis_commands_total", "Commands written to Redis (connection handshakes included).", commands, pubsub,
          &RedisCounters::commands);
  counter(out, "onair_redis_errors_total", "Redis commands answered with anything but a reply (error replies included).",
          commands, pubsub, &RedisCounters::errors);
  counter(out, "onair_redis_timeouts_total", "Redis commands that timed out (redis.command_timeout_ms).", commands, pubsub,
          &RedisCounters::timeouts);
  counter(out, "onair_redis_reconnects_total", "Successful Redis connects after the first.", commands, pubsub,
          &RedisCounters::reconnects);
  counter(out, "onair_redis_writes_total", "Socket writes to Redis (pipelining: one per loop turn with commands).", commands,
          pubsub, &RedisCounters::writes);
  return out;
}

}  // namespace onair::app
