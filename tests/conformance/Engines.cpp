#include "Engines.hpp"

#include <filesystem>
#include <memory>
#include <stdexcept>

#include "../unit/engine/redis/RedisServerProcess.hpp"
#include "engine/EmbeddedEngine.hpp"
#include "engine/redis/RedisEngine.hpp"

namespace onair::conformance {

namespace {

// One redis-server for the whole run, started on first use and stopped (by PID) at exit.
engine::redis::testing::RedisServerProcess& sharedRedis() {
  static auto* server = [] {
    auto* s = new engine::redis::testing::RedisServerProcess();
    if (!s->start()) throw std::runtime_error("cannot start redis-server for the conformance suite");
    static struct Stopper {
      engine::redis::testing::RedisServerProcess* s;
      ~Stopper() { s->stop(); }
    } stopper{s};
    return s;
  }();
  return *server;
}

std::unique_ptr<engine::Engine> makeRedisWith(engine::redis::RedisEngineSettings settings, const std::string& dir) {
  settings.connection = sharedRedis().settings();
  // Durable state is keyed by the directory's name, so a restart on the same directory sees it.
  settings.prefix = "conf-" + std::filesystem::path(dir).filename().string();
  auto engine = std::make_unique<engine::redis::RedisEngine>(settings);
  // Tests start at once: wait (bounded) until both connections are up.
  for (int i = 0; i < 300 && !engine->ready(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return engine;
}

std::unique_ptr<engine::Engine> makeRedis(const std::string& dir) { return makeRedisWith({}, dir); }

std::unique_ptr<engine::Engine> makeRedisWithTtl(const std::string& dir, int64_t presenceTtlMs) {
  engine::redis::RedisEngineSettings settings;
  settings.presenceTtlMs = presenceTtlMs;
  return makeRedisWith(settings, dir);
}

std::unique_ptr<engine::Engine> makeRedisNodePeer(const std::string& dir, const std::string& nodeId, int64_t nodeTtlMs) {
  engine::redis::RedisEngineSettings settings;
  settings.nodeId = nodeId;
  settings.nodeTtlMs = nodeTtlMs;
  return makeRedisWith(settings, dir);
}

}  // namespace

std::vector<EngineFactory> allEngines() {
  return {
      {.name = "Embedded",
       .make = [](const std::string& dir) { return std::make_unique<engine::EmbeddedEngine>(dir); },
       .makePeerWithTtl = {},
       .makePeer = {},
       .makeNodePeer = {}},
      // A peer on the same directory shares the prefix; every RedisEngine gets its own node id.
      {.name = "Redis", .make = makeRedis, .makePeerWithTtl = makeRedisWithTtl, .makePeer = makeRedis, .makeNodePeer = makeRedisNodePeer},
  };
}

}  // namespace onair::conformance
