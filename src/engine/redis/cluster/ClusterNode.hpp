#pragma once
// One Redis Cluster node as CLUSTER SLOTS and redirections name it: host (IP or hostname, IPv6
// without brackets), port, and the node id when known.
#include <cstdint>
#include <string>

namespace onair::engine::redis::cluster {

struct ClusterNode {
  std::string host;
  uint16_t port = 0;
  std::string id;  // 40 hex digits from CLUSTER SLOTS; empty when unknown (redirections)

  // "host:port", the key a node's connection is kept under (the id is not part of it: a MOVED
  // names no id).
  std::string address() const { return host + ":" + std::to_string(port); }
  bool operator==(const ClusterNode&) const = default;
};

}  // namespace onair::engine::redis::cluster
