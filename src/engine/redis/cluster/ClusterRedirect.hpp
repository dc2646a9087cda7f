#pragma once
// A Redis Cluster redirection, from the text of an error reply:
//
//   MOVED <slot> <host>:<port>     the slot is served by that node now: update the map, resend
//   ASK <slot> <host>:<port>       this one command only: send ASKING, then the command, there
//
// The host may be empty (":6380", Redis 7 when the node's endpoint is unknown: use the host the
// command went to) or an IPv6 address without brackets (the port follows the last ':').
//
// Contract: pure, never throws; parse() accepts at most kMaxBytes and returns nothing for any
// other text (including other errors such as CLUSTERDOWN or TRYAGAIN).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/redis/cluster/ClusterNode.hpp"

namespace onair::engine::redis::cluster {

struct ClusterRedirect {
  static constexpr size_t kMaxBytes = 512;
  enum class Kind { Moved, Ask };

  Kind kind = Kind::Moved;
  uint16_t slot = 0;
  ClusterNode target;  // host may be empty: the node the command went to

  static std::optional<ClusterRedirect> parse(std::string_view errorText);
  bool operator==(const ClusterRedirect&) const = default;
};

}  // namespace onair::engine::redis::cluster
