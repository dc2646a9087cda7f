#pragma once
// One pub/sub connection to Redis (RedisConnection in subscribe mode): channels (SUBSCRIBE),
// patterns (PSUBSCRIBE) and shard channels (SSUBSCRIBE, Redis >= 7, for Redis Cluster), with
// every message handed to one callback on the loop.
//
// Contract:
// - Constructed and used on the io_context's thread; it starts connecting at once.
// - The subscriber remembers what it is subscribed to. Subscribing while disconnected is
//   recorded and sent on the next connect; every connect sends the whole set (after AUTH/SELECT).
// - After every reconnect (not the first connect), once Redis has confirmed each subscription
//   again, `onResubscribed` runs: messages published while the connection was down are lost
//   here, and the Broker recovers them from history.
// - Messages arrive in the order Redis sends them; a message for a channel (or pattern) that
//   was unsubscribed meanwhile may still arrive and is delivered.
// - Destroying the subscriber closes the connection; no callback runs afterwards.
// - A dead peer that sends no FIN is noticed only when the OS gives up on the socket (no PING
//   keepalive yet).
#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <set>
#include <string>

#include "engine/redis/RedisConnection.hpp"

namespace onair::engine::redis {

class RedisSubscriber : private RedisConnection::Listener {
 public:
  enum class Kind { Channel, Pattern, Shard };
  struct Message {
    Kind kind = Kind::Channel;
    std::string pattern;  // the matching pattern, for Kind::Pattern
    std::string channel;
    std::string payload;
  };
  using MessageHandler = std::function<void(const Message&)>;
  using ResubscribedHandler = std::function<void()>;

  RedisSubscriber(boost::asio::io_context& io, RedisSettings settings, MessageHandler onMessage,
                  ResubscribedHandler onResubscribed);
  ~RedisSubscriber() override;
  RedisSubscriber(const RedisSubscriber&) = delete;
  RedisSubscriber& operator=(const RedisSubscriber&) = delete;

  void subscribe(const std::string& name, Kind kind = Kind::Channel);
  void unsubscribe(const std::string& name, Kind kind = Kind::Channel);

  bool connected() const { return connection_->up(); }
  // True when connected and every subscription sent so far is confirmed by Redis.
  bool settled() const { return connection_->up() && awaiting_ == 0; }
  const RedisCounters& counters() const { return connection_->counters(); }

 private:
  void onConnectionUp(bool reconnect) override;
  void onConnectionReply(RedisReply reply) override;
  void onConnectionDown(RedisOutcome::Error why, const std::string& message) override;
  void deliver(const RedisReply& reply);
  std::set<std::string>& names(Kind kind);

  std::shared_ptr<RedisConnection> connection_;
  MessageHandler onMessage_;
  ResubscribedHandler onResubscribed_;
  std::set<std::string> channels_;
  std::set<std::string> patterns_;
  std::set<std::string> shardChannels_;
  size_t awaiting_ = 0;          // subscribe confirmations still to come
  bool reportWhenSettled_ = false;
};

}  // namespace onair::engine::redis
