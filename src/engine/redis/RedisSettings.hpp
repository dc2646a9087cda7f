#pragma once
// How a Redis connection behaves: where it goes, how long a command may take, how reconnects back
// off and how large a reply may be.
#include <chrono>

#include "engine/redis/RedisUrl.hpp"
#include "engine/redis/RespReader.hpp"

namespace onair::engine::redis {

struct RedisSettings {
  RedisUrl url;
  // A command without a reply after this long is answered Timeout and the connection dropped.
  // Also bounds connecting plus AUTH/SELECT.
  std::chrono::milliseconds commandTimeout{1000};
  // Reconnect delays: the first, doubled after each failure up to the maximum, each drawn at
  // random from [delay/2, delay] so that many nodes do not reconnect in step.
  std::chrono::milliseconds reconnectInitial{50};
  std::chrono::milliseconds reconnectMax{2000};
  // A subscriber connection PINGs this often, so that a stalled server or a dead peer is noticed
  // within keepaliveInterval + commandTimeout (0: no keepalive).
  std::chrono::milliseconds keepaliveInterval{3000};
  RespReader::Limits limits;
};

}  // namespace onair::engine::redis
