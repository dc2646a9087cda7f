#pragma once
// What the Redis engine needs to know (config keys redis.*).
#include <cstdint>
#include <string>

#include "engine/redis/RedisSettings.hpp"

namespace onair::engine::redis {

struct RedisEngineSettings {
  RedisSettings connection;
  // A Redis Cluster (connection.url is a seed node): also implied by a redis+cluster:// URL.
  bool cluster = false;
  // Command connections to one Redis (RedisClientPool); a cluster has one per master instead.
  size_t poolSize = 1;
  std::string prefix = "onair";  // every key and channel starts with `<prefix>:`
  std::string nodeId;            // empty: a random id is made at start
  // A node refreshes its presence entries; entries of a node that stopped refreshing (crashed)
  // expire after presenceTtlMs.
  int64_t presenceTtlMs = 30000;
  // A node's record (engine::Nodes) lives this long unless announced again; the app announces
  // every third of it (1 s by default), so stats are at most about a second old and a dead node
  // leaves the list within 3 s.
  int64_t nodeTtlMs = 3000;

  bool clusterMode() const { return cluster || connection.url.cluster; }
};

}  // namespace onair::engine::redis
