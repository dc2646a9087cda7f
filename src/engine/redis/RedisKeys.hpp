#pragma once
// How the Redis engine names its keys and channels: `<prefix>:<kind>:{<name>}<suffix>`.
//
// The braces are a Redis Cluster hash tag: every key of one name (a stream's log, meta and
// idempotency keys, a presence room's hash and sorted set) hashes to one slot, so one script can
// touch them all. An empty name is written as `{_}` (an empty tag would hash the whole key).
// A name holding `}` ends the tag early, but all keys of that name still share it.
//
// Kinds in use: h (history), b (broker channel), l (lease sets), r (rate windows), p (presence),
// g (registry records), n (nodes).
#include <string>
#include <string_view>

namespace onair::engine::redis {

class RedisKeys {
 public:
  explicit RedisKeys(std::string prefix) : prefix_(std::move(prefix)) {}
  const std::string& prefix() const { return prefix_; }

  std::string key(std::string_view kind, std::string_view name, std::string_view suffix = {}) const {
    std::string out;
    out.reserve(prefix_.size() + kind.size() + name.size() + suffix.size() + 6);
    out.append(prefix_).append(":").append(kind).append(":{");
    out.append(name.empty() ? std::string_view("_") : name);
    out.append("}").append(suffix);
    return out;
  }

 private:
  std::string prefix_;
};

}  // namespace onair::engine::redis
