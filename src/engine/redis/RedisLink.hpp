#pragma once
// The Redis engine's way onto its loop: the engine's implementations are called from any shard,
// while the command client and the subscriber live on the engine's own io_context thread. run()
// posts the work there; completions therefore run on the engine's thread (callers post back to
// their shard, as the engine contracts say).
//
// Behind the interfaces stands one Redis (RedisClient, RedisSubscriber) or a Redis Cluster
// (cluster::RedisClusterClient, cluster::RedisClusterSubscriber): cluster() says which, for the
// few places that differ (sharded pub/sub: SPUBLISH and shard channels).
//
// Contract: run() is thread-safe. `fn` runs on the loop thread with the commands, or never (when
// the engine stops first). subscriber() and commands() are for the loop thread only.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <functional>

#include "engine/redis/RedisCommands.hpp"
#include "engine/redis/RedisKeys.hpp"
#include "engine/redis/RedisPubSub.hpp"

namespace onair::engine::redis {

class RedisLink {
 public:
  RedisLink(boost::asio::io_context& io, RedisKeys keys, std::string nodeId, bool cluster = false)
      : io_(io), keys_(std::move(keys)), nodeId_(std::move(nodeId)), cluster_(cluster) {}

  // Set on the loop thread once both exist; cleared before they go.
  void attach(RedisCommands* commands, RedisPubSub* subscriber) {
    commands_ = commands;
    subscriber_ = subscriber;
  }

  template <class Fn>
  void run(Fn&& fn) {
    boost::asio::post(io_, [this, fn = std::forward<Fn>(fn)]() mutable {
      if (commands_) fn(*commands_);
    });
  }

  boost::asio::io_context& io() { return io_; }
  RedisCommands* commands() { return commands_; }
  RedisPubSub* subscriber() { return subscriber_; }
  const RedisKeys& keys() const { return keys_; }
  // This node's id (unique per process run): presence entries and node records carry it.
  const std::string& nodeId() const { return nodeId_; }
  // A Redis Cluster: publish with SPUBLISH, subscribe to shard channels.
  bool cluster() const { return cluster_; }

 private:
  boost::asio::io_context& io_;
  RedisKeys keys_;
  std::string nodeId_;
  bool cluster_;
  RedisCommands* commands_ = nullptr;
  RedisPubSub* subscriber_ = nullptr;
};

}  // namespace onair::engine::redis
