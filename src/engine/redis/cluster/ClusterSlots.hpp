#pragma once
// Which node serves each of the 16384 slots of a Redis Cluster, read from a CLUSTER SLOTS reply:
//
//   *<ranges>
//     *<3 + replicas>
//       :<first slot>  :<last slot>
//       *<2..>  $<host>  :<port>  [$<node id>]  [<metadata (Redis 7)>]     the master
//       *<2..>  $<host>  :<port>  ...                                       each replica
//
// A host "" means the host of the node that answered; "?" means Redis does not know the node's
// endpoint (that node is skipped, and a range whose master is unknown is left unserved).
//
// Contract: pure, never throws. parse() checks every shape and bound (slots in range, first <=
// last, no slot claimed twice, at most kMaxRanges ranges and kMaxReplicas replicas a range, hosts
// at most kMaxHostBytes, ports 1..65535) and returns the map or an error text. An empty map (no
// slot served) is valid: coverage() says how many slots have a master.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/redis/RedisReply.hpp"
#include "engine/redis/cluster/ClusterNode.hpp"
#include "engine/redis/cluster/HashSlot.hpp"

namespace onair::engine::redis::cluster {

class ClusterSlots {
 public:
  static constexpr size_t kMaxRanges = HashSlot::kSlots;
  static constexpr size_t kMaxReplicas = 32;
  static constexpr size_t kMaxHostBytes = 255;
  static constexpr size_t kMaxIdBytes = 64;

  ClusterSlots();
  // `answeringHost` replaces empty hosts in the reply.
  static std::variant<ClusterSlots, std::string> parse(const RedisReply& reply, std::string_view answeringHost);

  // The master serving `slot`, or null when none does.
  const ClusterNode* masterOf(uint16_t slot) const;
  // Masters serving at least one slot, each once, in slot order.
  const std::vector<ClusterNode>& masters() const { return masters_; }
  // Every node named (masters and replicas), each once: where to ask for a new map.
  std::vector<ClusterNode> nodes() const;
  size_t coverage() const;

  // After MOVED: `slot` is served by `master` now (until the next full map).
  void assign(uint16_t slot, const ClusterNode& master);

  // Same master (by address) for every slot.
  bool sameOwners(const ClusterSlots& other) const;

 private:
  static constexpr uint16_t kNobody = 0xFFFF;

  uint16_t indexOf(const ClusterNode& node);
  void collectMasters();

  std::vector<ClusterNode> known_;                 // masters ever named; owner_ indexes it
  std::vector<ClusterNode> replicas_;              // every replica named
  std::array<uint16_t, HashSlot::kSlots> owner_;   // index in known_, or kNobody
  std::vector<ClusterNode> masters_;               // known_ entries serving a slot, in slot order
};

}  // namespace onair::engine::redis::cluster
