#pragma once
// The Redis engine's way onto its loop: the engine's implementations are called from any shard,
// while RedisClient and RedisSubscriber live on the engine's own io_context thread. run() posts
// the work there; completions therefore run on the engine's thread (callers post back to their
// shard, as the engine contracts say).
//
// Contract: run() is thread-safe. `fn` runs on the loop thread with the client, or never (when
// the engine stops first). subscriber() and client() are for the loop thread only.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <functional>

#include "engine/redis/RedisClient.hpp"
#include "engine/redis/RedisKeys.hpp"
#include "engine/redis/RedisSubscriber.hpp"

namespace onair::engine::redis {

class RedisLink {
 public:
  RedisLink(boost::asio::io_context& io, RedisKeys keys, std::string nodeId)
      : io_(io), keys_(std::move(keys)), nodeId_(std::move(nodeId)) {}

  // Set on the loop thread once both exist; cleared before they go.
  void attach(RedisClient* client, RedisSubscriber* subscriber) {
    client_ = client;
    subscriber_ = subscriber;
  }

  template <class Fn>
  void run(Fn&& fn) {
    boost::asio::post(io_, [this, fn = std::forward<Fn>(fn)]() mutable {
      if (client_) fn(*client_);
    });
  }

  boost::asio::io_context& io() { return io_; }
  RedisClient* client() { return client_; }
  RedisSubscriber* subscriber() { return subscriber_; }
  const RedisKeys& keys() const { return keys_; }
  // This node's id (unique per process run): presence entries and node records carry it.
  const std::string& nodeId() const { return nodeId_; }

 private:
  boost::asio::io_context& io_;
  RedisKeys keys_;
  std::string nodeId_;
  RedisClient* client_ = nullptr;
  RedisSubscriber* subscriber_ = nullptr;
};

}  // namespace onair::engine::redis
