#pragma once
// Counters of one Redis connection, ready to be exported as metrics (monotonic, read on the
// connection's loop thread).
#include <cstdint>

namespace onair::engine::redis {

struct RedisCounters {
  uint64_t commands = 0;    // commands written to Redis (handshake included)
  uint64_t errors = 0;      // commands answered with anything but a reply (server errors included)
  uint64_t timeouts = 0;    // commands that timed out
  uint64_t reconnects = 0;  // successful connects after the first
  uint64_t writes = 0;      // socket writes (pipelining: one per loop turn with commands)

  // Sums the counters of several connections (a Redis Cluster's).
  RedisCounters& operator+=(const RedisCounters& other) {
    commands += other.commands;
    errors += other.errors;
    timeouts += other.timeouts;
    reconnects += other.reconnects;
    writes += other.writes;
    return *this;
  }
};

}  // namespace onair::engine::redis
