#pragma once
// Test helper: a real redis-server (/usr/bin/redis-server) on a free 127.0.0.1 port with its own
// temporary directory, no persistence. Started by the test, stopped by PID (SIGTERM, then SIGKILL
// after a bound), never by name. restart() keeps the port, so clients can reconnect.
#include <sys/types.h>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/redis/RedisReply.hpp"
#include "engine/redis/RedisSettings.hpp"

namespace onair::engine::redis::testing {

class RedisServerProcess {
 public:
  RedisServerProcess();
  ~RedisServerProcess();
  RedisServerProcess(const RedisServerProcess&) = delete;
  RedisServerProcess& operator=(const RedisServerProcess&) = delete;

  // Spawns the server and waits until it answers PING; false if it does not within 5 s.
  bool start();
  void stop();
  bool restart() { stop(); return start(); }

  uint16_t port() const { return port_; }
  // Settings for a client of this server, with a short timeout and quick reconnects.
  RedisSettings settings() const;
  // One command over a fresh blocking connection (for setting up and stalling the server).
  RedisReply call(const std::vector<std::string>& args) const;

 private:
  uint16_t port_ = 0;
  std::string dir_;
  pid_t pid_ = -1;
};

// Runs `io` until `done()` or `limit` passes; returns done().
bool runUntil(boost::asio::io_context& io, const std::function<bool()>& done,
              std::chrono::milliseconds limit = std::chrono::milliseconds(5000));

}  // namespace onair::engine::redis::testing
