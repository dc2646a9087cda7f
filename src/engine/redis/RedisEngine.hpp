#pragma once
// The Redis engine (DESIGN.md §4): several onair nodes share Redis for pub/sub, history, leases,
// presence and records. The engine owns one thread running its own io_context, with
// redis.pool_size pipelined command connections (RedisClientPool, one by default) and one
// subscriber connection (RedisSubscriber), or
// on a Redis Cluster (settings.clusterMode()) a cluster::RedisClusterClient and a
// cluster::RedisClusterSubscriber (sharded pub/sub); the implementations post their commands
// there through RedisLink, and their completions run on that thread.
//
// Contract: the constructor starts the thread and connecting and returns at once (an unreachable
// Redis is not an error: commands fail fast with service_unavailable until it is reachable, and
// ready() says false). stop() lets the commands already sent finish (bounded by the command
// timeout; on a cluster, until the cluster client has answered every command it was given), then
// closes the connections (the subscriber before the client) and joins the thread; it is
// idempotent.
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "engine/Engine.hpp"
#include "engine/redis/RedisBroker.hpp"
#include "engine/redis/RedisClientPool.hpp"
#include "engine/redis/RedisEngineSettings.hpp"
#include "engine/redis/RedisHistory.hpp"
#include "engine/redis/RedisLeases.hpp"
#include "engine/redis/RedisLink.hpp"
#include "engine/redis/RedisNodes.hpp"
#include "engine/redis/RedisPresence.hpp"
#include "engine/redis/RedisRegistry.hpp"
#include "engine/redis/cluster/RedisClusterClient.hpp"
#include "engine/redis/cluster/RedisClusterSubscriber.hpp"

namespace onair::engine::redis {

class RedisEngine final : public Engine {
 public:
  explicit RedisEngine(RedisEngineSettings settings);
  ~RedisEngine() override;

  std::string_view name() const override { return "redis"; }
  bool ready() const override { return ready_.load(std::memory_order_relaxed); }
  void stop() override;

  Broker& broker() override { return broker_; }
  History& history() override { return history_; }
  Leases& leases() override { return leases_; }
  Presence& presence() override { return presence_; }
  Registry& registry() override { return registry_; }
  Nodes& nodes() override { return nodes_; }

  const RedisEngineSettings& settings() const { return settings_; }
  const std::string& nodeId() const { return link_.nodeId(); }
  // The connections' counters as of the last readiness check (at most 100 ms old), for metrics.
  // Callable from any thread.
  RedisCounters clientCounters() const;
  RedisCounters subscriberCounters() const;

 private:
  void startOnLoop();
  void watchReadiness();
  // Runs `done` on the loop once every command sent so far has had its answer.
  void drain(std::function<void()> done);

  RedisEngineSettings settings_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  RedisLink link_;
  RedisBroker broker_;
  RedisHistory history_;
  RedisLeases leases_;
  RedisPresence presence_;
  RedisRegistry registry_;
  RedisNodes nodes_;
  // Loop thread only: one Redis, or a Redis Cluster.
  std::unique_ptr<RedisClientPool> client_;
  std::unique_ptr<RedisSubscriber> subscriber_;
  std::unique_ptr<cluster::RedisClusterClient> clusterClient_;
  std::unique_ptr<cluster::RedisClusterSubscriber> clusterSubscriber_;
  std::unique_ptr<boost::asio::steady_timer> readinessTimer_;
  std::atomic<bool> ready_{false};
  mutable std::mutex countersMutex_;
  RedisCounters clientCounters_;      // copied on the loop by watchReadiness()
  RedisCounters subscriberCounters_;
  std::atomic<bool> stopped_{false};
  std::thread thread_;
};

}  // namespace onair::engine::redis
