#include "Engines.hpp"

#include <filesystem>
#include <memory>
#include <stdexcept>

#include "../unit/engine/redis/RedisServerProcess.hpp"
#include "../unit/engine/redis/cluster/RedisClusterProcess.hpp"
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

// One Redis Cluster (3 masters, 3 replicas) for the whole run, started on first use; the helper
// stops its processes (by PID) at exit.
engine::redis::testing::RedisClusterProcess& sharedCluster() {
  auto* cluster = engine::redis::testing::RedisClusterProcess::shared();
  if (!cluster) throw std::runtime_error("cannot start a Redis Cluster for the conformance suite");
  return *cluster;
}

std::unique_ptr<engine::Engine> makeRedisWith(engine::redis::RedisEngineSettings settings, const std::string& dir, bool cluster,
                                              size_t poolSize) {
  settings.connection = cluster ? sharedCluster().settings() : sharedRedis().settings();
  settings.poolSize = poolSize;
  // Durable state is keyed by the directory's name, so a restart on the same directory sees it.
  settings.prefix = "conf-" + std::filesystem::path(dir).filename().string();
  auto engine = std::make_unique<engine::redis::RedisEngine>(settings);
  // Tests start at once: wait (bounded) until both connections are up.
  for (int i = 0; i < 300 && !engine->ready(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return engine;
}

// The factories of the Redis engine on one Redis server (with `Pool` command connections) or on
// the Redis Cluster.
template <bool Cluster, size_t Pool = 1>
std::unique_ptr<engine::Engine> makeRedis(const std::string& dir) {
  return makeRedisWith({}, dir, Cluster, Pool);
}

template <bool Cluster, size_t Pool = 1>
std::unique_ptr<engine::Engine> makeRedisWithTtl(const std::string& dir, int64_t presenceTtlMs) {
  engine::redis::RedisEngineSettings settings;
  settings.presenceTtlMs = presenceTtlMs;
  return makeRedisWith(settings, dir, Cluster, Pool);
}

template <bool Cluster, size_t Pool = 1>
std::unique_ptr<engine::Engine> makeRedisNodePeer(const std::string& dir, const std::string& nodeId, int64_t nodeTtlMs) {
  engine::redis::RedisEngineSettings settings;
  settings.nodeId = nodeId;
  settings.nodeTtlMs = nodeTtlMs;
  return makeRedisWith(settings, dir, Cluster, Pool);
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
      {.name = "Redis",
       .make = makeRedis<false>,
       .makePeerWithTtl = makeRedisWithTtl<false>,
       .makePeer = makeRedis<false>,
       .makeNodePeer = makeRedisNodePeer<false>},
      // redis.pool_size = 3: commands spread over three connections by key.
      {.name = "RedisPool",
       .make = makeRedis<false, 3>,
       .makePeerWithTtl = makeRedisWithTtl<false, 3>,
       .makePeer = makeRedis<false, 3>,
       .makeNodePeer = makeRedisNodePeer<false, 3>},
      {.name = "RedisCluster",
       .make = makeRedis<true>,
       .makePeerWithTtl = makeRedisWithTtl<true>,
       .makePeer = makeRedis<true>,
       .makeNodePeer = makeRedisNodePeer<true>},
  };
}

}  // namespace onair::conformance
