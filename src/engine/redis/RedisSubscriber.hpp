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
//   here, and the Broker recovers them from history. A subscription without a confirmation
//   callback (sent again by a connect, or moved) that Redis refuses (-NOPERM after an ACL change;
//   not a cluster redirect) is sent again after a delay (kFirstRetry, doubling up to kLastRetry)
//   until Redis takes it, and `onResubscribed` runs again then: what was published to it
//   meanwhile is recovered like any outage. Until then the channel is not heard.
// - subscribe() may take a confirmation callback: it runs once, later, on the loop (never inside
//   subscribe()): ok() when Redis confirmed this subscription; otherwise an error outcome at once
//   (posted) when not connected (the name is still recorded and sent on the next connect), or
//   when the connection is lost, or Redis refuses, before the confirmation came.
// - Every command sent ((un)subscribe, PING) expects its own answer, in order: an error answer
//   (-MOVED after a reshard, -NOPERM) is matched to the command that caused it.
// - A cluster node whose slot leaves it drops that slot's shard channels and says so with an
//   `sunsubscribe` push: a subscription of ours dropped that way is forgotten and reported to
//   `onDropped` (not sent again on reconnect; the caller places it again). A push arriving while
//   our own SUNSUBSCRIBE of that channel waits is taken for its answer, and the -MOVED that then
//   answers the SUNSUBSCRIBE is recognised by its slot (not the next command's) and dropped.
// - Messages arrive in the order Redis sends them; a message for a channel (or pattern) that
//   was unsubscribed meanwhile may still arrive and is delivered.
// - Keepalive: while connected, a PING goes out every settings.keepaliveInterval (none while
//   one is unanswered). A PING or subscription without an answer after settings.commandTimeout
//   drops the connection (a stalled server or a dead peer that sends no FIN), which then
//   reconnects and resubscribes as above.
// - Destroying the subscriber closes the connection; no callback runs afterwards.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <set>
#include <string>

#include "engine/redis/RedisConnection.hpp"
#include "engine/redis/RedisPubSub.hpp"

namespace onair::engine::redis {

class RedisSubscriber final : public RedisPubSub, private RedisConnection::Listener {
 public:
  struct Message {
    Kind kind = Kind::Channel;
    std::string pattern;  // the matching pattern, for Kind::Pattern
    std::string channel;
    std::string payload;
  };
  using MessageHandler = std::function<void(const Message&)>;
  using ResubscribedHandler = std::function<void()>;
  using DroppedHandler = std::function<void(const std::string& name, Kind kind)>;

  RedisSubscriber(boost::asio::io_context& io, RedisSettings settings, MessageHandler onMessage,
                  ResubscribedHandler onResubscribed, DroppedHandler onDropped = {});
  ~RedisSubscriber() override;
  RedisSubscriber(const RedisSubscriber&) = delete;
  RedisSubscriber& operator=(const RedisSubscriber&) = delete;

  void subscribe(const std::string& name, Kind kind = Kind::Channel, Confirmation confirmed = {}) override;
  void unsubscribe(const std::string& name, Kind kind = Kind::Channel) override;

  bool connected() const override { return connection_->up(); }
  // True when connected and every subscription sent so far is confirmed by Redis.
  bool settled() const { return connection_->up() && awaiting_ == 0; }
  // Subscriptions Redis refused that wait to be sent again.
  size_t refusedSubscriptions() const { return refused_.size(); }
  static constexpr std::chrono::milliseconds kFirstRetry{500};
  static constexpr std::chrono::milliseconds kLastRetry{30000};
  const RedisCounters& counters() const { return connection_->counters(); }
  // Connections dropped because a PING or subscription went unanswered.
  uint64_t keepaliveDrops() const { return keepaliveDrops_; }

 private:
  using Clock = std::chrono::steady_clock;
  // A reply the connection waits for: one per command sent ((un)subscribe, PING), in the order
  // sent, since Redis answers them in that order. An error reply (-MOVED, -NOPERM...) answers
  // the oldest one, whatever command it was.
  struct Expected {
    enum class What { Subscribe, Unsubscribe, Pong };
    What what = What::Subscribe;
    Kind kind = Kind::Channel;
    std::string name;        // the channel or pattern of an (un)subscribe
    Confirmation confirmed;  // may be empty
    Clock::time_point deadline;
    bool retry = false;      // a refused subscription sent again
  };

  void onConnectionUp(bool reconnect) override;
  void onConnectionReply(RedisReply reply) override;
  void onConnectionDown(RedisOutcome::Error why, const std::string& message) override;
  void deliver(const RedisReply& reply);
  void sendSubscribe(const std::string& name, Kind kind, Confirmation confirmed);
  void expect(Expected expected);
  bool answersUnsubscribe(const RedisReply& reply) const;
  bool strayRedirect(const RedisReply& reply) const;
  void onPushedUnsubscribe(const RedisReply& reply);
  void onAnswer(const RedisReply& reply);
  void armDeadline();
  void onDeadline();
  void schedulePing();
  void retryRefusedLater();
  void reportIfSettled();
  void ping();
  std::set<std::string>& names(Kind kind);

  boost::asio::io_context& io_;
  std::shared_ptr<RedisConnection> connection_;
  MessageHandler onMessage_;
  ResubscribedHandler onResubscribed_;
  DroppedHandler onDropped_;
  std::set<std::string> channels_;
  std::set<std::string> patterns_;
  std::set<std::string> shardChannels_;
  size_t awaiting_ = 0;          // subscribe confirmations still to come
  bool reportWhenSettled_ = false;
  // Subscriptions sent on a connect that Redis refused; sent again from retryTimer_.
  std::vector<std::pair<std::string, Kind>> refused_;
  boost::asio::steady_timer retryTimer_;
  std::chrono::milliseconds retryDelay_ = kFirstRetry;
  bool retryArmed_ = false;
  bool retryTaken_ = false;  // a retried subscription was taken: report once the rest are answered
  std::deque<Expected> expected_;
  boost::asio::steady_timer deadlineTimer_;
  boost::asio::steady_timer pingTimer_;
  bool deadlineArmed_ = false;
  bool pingOutstanding_ = false;
  uint64_t keepaliveDrops_ = 0;
  // Handlers hold it weakly: once the subscriber is gone they do nothing.
  std::shared_ptr<int> life_ = std::make_shared<int>(0);
};

}  // namespace onair::engine::redis
