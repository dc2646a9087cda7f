#pragma once
// Sharded pub/sub on a Redis Cluster (Redis >= 7): each shard channel is SSUBSCRIBEd on a
// connection to the master serving its slot (one RedisSubscriber of Kind::Shard per master in
// use), with the slot map of a RedisClusterClient. Publishers use SPUBLISH through that client.
//
// Contract:
// - Constructed and used on the io_context's thread; `cluster` outlives the subscriber.
// - RedisPubSub for shard channels only (another kind is refused through its confirmation).
//   subscribe()/unsubscribe() take shard channels; they are remembered and placed as soon as the
//   slot map is known. Messages reach `onMessage` in the shape RedisSubscriber gives them
//   (Kind::Shard), in the order each master sends them.
// - A confirmation (optional) says ok once the master serving the channel's slot confirmed the
//   SSUBSCRIBE; an error, at once, while no slot map is known or that master's connection is
//   down, or when the connection is lost first. A connection to every master of the map is kept
//   open, so that a first subscription to a master need not wait for a connect.
// - When the slot map changes (resharding, failover), channels whose slot moved are unsubscribed
//   from the old master and subscribed on the new one. A channel that lost its place (its slot
//   moved, has no master in the map, or Redis dropped it) and is placed again, on another master
//   or the same one, may have missed messages meanwhile: once every connection in use has
//   confirmed its subscriptions, `onResubscribed` runs, and the Broker recovers them from
//   history. A reconnect of one connection reports the same way (RedisSubscriber's own).
// - Redis drops a shard channel by itself when its slot leaves the node (an `sunsubscribe` push,
//   reported by RedisSubscriber): the channel is placed again at once by the map known (which
//   may be the same master, if the slot came back) and the map is asked for soon. An SSUBSCRIBE
//   sent to the wrong node is refused (-MOVED); that is noticed through the map, which the
//   cluster client reads again every refreshInterval (and at once when a connection of ours is
//   down, checked every kPoll).
// - Destroying the subscriber closes its connections; no callback runs afterwards.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "engine/redis/RedisSubscriber.hpp"
#include "engine/redis/cluster/RedisClusterClient.hpp"

namespace onair::engine::redis::cluster {

class RedisClusterSubscriber final : public RedisPubSub {
 public:
  using Message = RedisSubscriber::Message;
  using MessageHandler = RedisSubscriber::MessageHandler;
  using ResubscribedHandler = RedisSubscriber::ResubscribedHandler;
  static constexpr std::chrono::milliseconds kPoll{100};

  RedisClusterSubscriber(boost::asio::io_context& io, RedisClusterClient& cluster, MessageHandler onMessage,
                         ResubscribedHandler onResubscribed);
  ~RedisClusterSubscriber();
  RedisClusterSubscriber(const RedisClusterSubscriber&) = delete;
  RedisClusterSubscriber& operator=(const RedisClusterSubscriber&) = delete;

  void subscribe(const std::string& channel, Kind kind = Kind::Shard, Confirmation confirmed = {}) override;
  void unsubscribe(const std::string& channel, Kind kind = Kind::Shard) override;

  // The slot map is known and every connection (one per master) is up.
  bool connected() const override;
  // Connected, every channel placed, and every subscription confirmed.
  bool settled() const;
  // Where `channel` is subscribed now ("host:port"), empty when nowhere (for tests and logs).
  std::string placement(const std::string& channel) const;
  // The connections' counters summed (closed connections' included), for metrics.
  RedisCounters counters() const;

 private:
  void place(const std::string& confirming = {}, Confirmation* confirmed = nullptr);
  void failLater(Confirmation confirmed, RedisOutcome::Error why, std::string message);
  RedisSubscriber& shardAt(const ClusterNode& node);
  void onDropped(const std::string& address, const std::string& channel);
  void retireLater();
  void poll();
  void armPoll();

  boost::asio::io_context& io_;
  RedisClusterClient& cluster_;
  MessageHandler onMessage_;
  ResubscribedHandler onResubscribed_;
  std::set<std::string> channels_;
  std::map<std::string, std::string> placed_;                     // channel -> address
  std::map<std::string, std::unique_ptr<RedisSubscriber>> shards_;  // address -> connection
  RedisCounters retiredCounters_;  // of connections closed already
  size_t topologyHandle_ = 0;
  boost::asio::steady_timer pollTimer_;
  bool resyncPending_ = false;
  bool retireScheduled_ = false;
  std::shared_ptr<int> life_ = std::make_shared<int>(0);
};

}  // namespace onair::engine::redis::cluster
