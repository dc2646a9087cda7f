#pragma once
// One TCP connection to Redis, driven by Boost.Asio on the caller's io_context (the shard's loop):
// connect, AUTH/SELECT from the URL, pipelined writes, replies read and framed by RespReader, and
// reconnects with backoff. RedisClient (request/reply) and RedisSubscriber (pub/sub) stand on it.
//
// Contract:
// - Everything happens on the io_context's thread; every method is called there.
// - After start(), the connection connects and runs the handshake (AUTH user password / AUTH
//   password, then SELECT db when not 0) before anything else; when it succeeds the listener
//   hears onConnectionUp. Connecting plus handshake is bounded by settings.commandTimeout.
// - send() is only valid while up(). Commands sent in one loop turn leave in one socket write
//   (the flush is posted); while a write is in flight, later commands wait and leave together
//   in the next one.
// - Each reply after the handshake reaches onConnectionReply, in order.
// - Any failure (I/O error, EOF, protocol error, handshake error or timeout, or drop() by the
//   owner) closes the socket, tells onConnectionDown once, and schedules a reconnect after a
//   backoff delay (settings.reconnectInitial doubling to reconnectMax, jittered down to half),
//   reset after a successful handshake. Bytes not yet written are discarded.
// - close() is final: the socket closes and the listener is never called again. Pending Asio
//   handlers keep the object alive (shared_from_this) until they have run.
// - Listener callbacks must not close() or destroy the owner synchronously.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/redis/RedisCounters.hpp"
#include "engine/redis/RedisOutcome.hpp"
#include "engine/redis/RedisSettings.hpp"
#include "engine/redis/RespReader.hpp"

namespace onair::engine::redis {

class RedisConnection : public std::enable_shared_from_this<RedisConnection> {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    // Connected and handshake done; `reconnect` is false only the first time.
    virtual void onConnectionUp(bool reconnect) = 0;
    virtual void onConnectionReply(RedisReply reply) = 0;
    virtual void onConnectionDown(RedisOutcome::Error why, const std::string& message) = 0;
  };

  static std::shared_ptr<RedisConnection> create(boost::asio::io_context& io, RedisSettings settings,
                                                 Listener* listener);
  RedisConnection(boost::asio::io_context& io, RedisSettings settings, Listener* listener);

  void start();
  void send(const std::vector<std::string>& args);
  // Drops the current connection (if any) as a failure and reconnects after the backoff.
  void drop(RedisOutcome::Error why, const std::string& message);
  void close();

  bool up() const { return state_ == State::Up; }
  const RedisCounters& counters() const { return counters_; }
  const RedisSettings& settings() const { return settings_; }

 private:
  enum class State { Idle, Connecting, Handshaking, Up, Waiting, Closed };
  struct Session;

  void connect();
  void onConnected(const std::shared_ptr<Session>& session);
  void startHandshake();
  void onHandshakeReply(const RedisReply& reply);
  void becomeUp();
  void readMore(const std::shared_ptr<Session>& session);
  void onRead(const std::shared_ptr<Session>& session, size_t bytes);
  void scheduleFlush();
  void flush();
  void scheduleReconnect();
  void armConnectTimeout();
  bool current(const std::shared_ptr<Session>& session) const { return session == session_ && state_ != State::Closed; }

  boost::asio::io_context& io_;
  RedisSettings settings_;
  Listener* listener_;
  State state_ = State::Idle;
  std::shared_ptr<Session> session_;
  boost::asio::steady_timer connectTimer_;
  boost::asio::steady_timer retryTimer_;
  std::chrono::milliseconds nextDelay_;
  std::minstd_rand random_;
  std::string outbox_;
  bool flushScheduled_ = false;
  bool writing_ = false;
  int handshakeReplies_ = 0;
  bool everUp_ = false;
  RedisCounters counters_;
};

}  // namespace onair::engine::redis
