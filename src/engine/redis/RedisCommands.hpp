#pragma once
// What the engine's Redis implementations need to issue commands, whatever stands behind it: one
// Redis server (RedisClient) or a Redis Cluster (cluster::RedisClusterClient).
//
// Contract (every implementation keeps it):
// - Constructed and used on its io_context's thread only.
// - command() and script(): the callback runs exactly once, later, on the loop; never inside the
//   call itself. A top-level error reply is Error::Server with Redis's text (an empty `args` fails
//   that way too, without reaching Redis).
// - While the way to the command's server is down, commands fail fast: the callback is posted
//   with Error::Disconnected and nothing is queued, so callers answer service_unavailable with a
//   retry hint at once. Every command has a timeout (Error::Timeout). Timeout and Disconnected
//   say the command may or may not have run.
// - script(): EVALSHA with the script's SHA1, falling back to EVAL on NOSCRIPT, transparently.
//   In a cluster, all `keys` must hash to one slot (use one `{tag}`); otherwise the call fails
//   with Error::Server ("CROSSSLOT ...") without reaching Redis.
// - connected(): true when commands can be expected to reach Redis now (for readiness).
// - Destroying the implementation drops callbacks still pending (they are never called). Do not
//   destroy it from inside one of its callbacks: post the destruction.
// - Callbacks must not throw.
#include <functional>
#include <string>
#include <vector>

#include "engine/redis/RedisOutcome.hpp"
#include "engine/redis/RedisScript.hpp"

namespace onair::engine::redis {

class RedisCommands {
 public:
  using Callback = std::function<void(RedisOutcome)>;

  virtual ~RedisCommands() = default;

  virtual void command(std::vector<std::string> args, Callback callback) = 0;
  virtual void script(const RedisScript& script, const std::vector<std::string>& keys,
                      const std::vector<std::string>& args, Callback callback) = 0;
  virtual bool connected() const = 0;
};

}  // namespace onair::engine::redis
