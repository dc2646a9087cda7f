#pragma once
// Request/reply access to one Redis server over one pipelined connection (RedisConnection) on the
// shard's loop. The engine's Redis implementations issue their commands through it.
//
// Contract:
// - Constructed and used on the io_context's thread only; it starts connecting at once.
// - command(): the callback runs exactly once, later, on the loop; never inside command()
//   itself. Replies come in the order commands were issued. A top-level error reply is
//   Error::Server with Redis's text (an empty `args` fails that way too, without reaching Redis).
// - While not connected (connecting, handshaking, or waiting to reconnect), commands fail fast:
//   the callback is posted with Error::Disconnected, nothing is queued, so callers can answer
//   service_unavailable with a retry hint at once.
// - Every command has settings.commandTimeout: the oldest command still without a reply after it
//   is answered Error::Timeout, then the connection is dropped (its reply may never come) and
//   every other command in flight is answered Error::Disconnected; the client reconnects by
//   itself with backoff. Commands in flight when the connection fails are answered
//   Disconnected (Protocol after a protocol error): they may or may not have run.
// - script(): EVALSHA with the script's locally computed SHA1; on NOSCRIPT the same call is sent
//   once as EVAL (which also loads the script), transparently, and the callback gets that answer.
// - Every script ever passed to script() or preload() is remembered, and each (re)connect sends a
//   SCRIPT LOAD of each one first, before any command: after a Redis restart (empty script cache)
//   the EVALSHAs succeed at once, in order. Without it, the EVAL resent after a NOSCRIPT could run
//   after a later EVALSHA of the same connection (two appends stored out of order). The NOSCRIPT
//   fallback stays for a SCRIPT FLUSH while connected.
// - Destroying the client closes the connection; callbacks of commands still in flight are
//   dropped (never called), and so are fail-fast callbacks already posted. Do not destroy the
//   client from inside one of its callbacks: post the destruction.
// - No exception thrown by a callback is caught here: callbacks must not throw.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/redis/RedisCommands.hpp"
#include "engine/redis/RedisConnection.hpp"
#include "engine/redis/RedisScript.hpp"

namespace onair::engine::redis {

class RedisClient final : public RedisCommands, private RedisConnection::Listener {
 public:
  using Clock = std::chrono::steady_clock;

  RedisClient(boost::asio::io_context& io, RedisSettings settings);
  ~RedisClient() override;
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  void command(std::vector<std::string> args, Callback callback) override;
  void script(const RedisScript& script, const std::vector<std::string>& keys, const std::vector<std::string>& args,
              Callback callback) override;

  bool connected() const override { return connection_->up(); }
  // Remembers `script` for the SCRIPT LOADs of every connect (and loads it now when connected).
  void preload(const RedisScript& script);
  const RedisCounters& counters() const;
  const RedisSettings& settings() const { return connection_->settings(); }

 private:
  struct Pending {
    Callback callback;
    Clock::time_point deadline;
  };

  void onConnectionUp(bool reconnect) override;
  void onConnectionReply(RedisReply reply) override;
  void onConnectionDown(RedisOutcome::Error why, const std::string& message) override;
  void failLater(Callback callback, RedisOutcome::Error why, std::string message);
  void send(std::vector<std::string> args, Callback callback);
  void armTimer();
  void onTimer();

  boost::asio::io_context& io_;
  std::shared_ptr<RedisConnection> connection_;
  std::deque<Pending> pending_;
  std::map<std::string, std::string> scripts_;  // SHA1 -> Lua, every script seen
  boost::asio::steady_timer timer_;
  bool timerArmed_ = false;
  // Handlers hold it weakly: once the client is gone they do nothing.
  std::shared_ptr<int> life_ = std::make_shared<int>(0);
  mutable RedisCounters counters_;
};

}  // namespace onair::engine::redis
