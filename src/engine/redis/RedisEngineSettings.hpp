#pragma once
// What the Redis engine needs to know (config keys redis.*).
#include <cstdint>
#include <string>

#include "engine/redis/RedisSettings.hpp"

namespace onair::engine::redis {

struct RedisEngineSettings {
  RedisSettings connection;
  std::string prefix = "onair";  // every key and channel starts with `<prefix>:`
  std::string nodeId;            // empty: a random id is made at start
  // A node refreshes its presence entries and its node record this often; entries of a node
  // that stopped refreshing (crashed) expire after presenceTtlMs.
  int64_t presenceTtlMs = 30000;
};

}  // namespace onair::engine::redis
