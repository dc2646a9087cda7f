#pragma once
// What a command's callback gets: the reply, or why there is none.
//
// Contract: ok() means `reply` holds Redis's answer (which is never a top-level error reply:
// those arrive as Error::Server with the error text in `message`, e.g. "NOSCRIPT No matching
// script..."; errors nested in arrays, as EXEC returns them, stay in the reply). Timeout and
// Disconnected say nothing reached or came back from Redis in time: the command may or may not
// have run. Callers answer service_unavailable with a retry hint for those.
#include <string>

#include "engine/redis/RedisReply.hpp"

namespace onair::engine::redis {

struct RedisOutcome {
  enum class Error {
    None,
    Timeout,       // no reply within the command timeout; the connection was dropped
    Disconnected,  // no connection to Redis (down, reconnecting, or lost with the command in flight)
    Protocol,      // Redis sent bytes that are not RESP, or over the reply limits
    Server,        // Redis answered with an error reply
  };

  Error error = Error::None;
  std::string message;
  RedisReply reply;

  bool ok() const { return error == Error::None; }
  static RedisOutcome success(RedisReply reply) { return {Error::None, {}, std::move(reply)}; }
  static RedisOutcome failure(Error error, std::string message) { return {error, std::move(message), {}}; }
};

}  // namespace onair::engine::redis
