#pragma once
// Nodes in Redis (see engine/Nodes.hpp).
//
// Keys (all under one hash tag, `{all}`, so every script touches one Cluster slot; node records
// are few and small):
//   <prefix>:n:{all}         sorted set: node id -> when its record expires (Redis time, Unix ms)
//   <prefix>:n:{all}:<id>    hash: id, address, startedAt, stats; PEXPIREd with the TTL
// The sorted set lets list() find the nodes without SCAN; the per-node PEXPIRE lets a crashed
// node's record vanish by itself; announce() prunes expired ids from the set. Expiry uses
// Redis's clock (TIME inside the scripts), so nodes with skewed clocks agree.
//
// One round trip per call (one EVALSHA). Completions run on the engine's loop thread.
#include <mutex>
#include <optional>

#include "engine/Nodes.hpp"
#include "engine/redis/RedisLink.hpp"

namespace onair::engine::redis {

class RedisNodes final : public Nodes {
 public:
  RedisNodes(RedisLink& link, int64_t ttlMs) : link_(link), ttlMs_(ttlMs) {}

  const std::string& selfId() const override { return link_.nodeId(); }
  int64_t ttlMs() const override { return ttlMs_; }
  void announce(NodeAnnouncement self, std::function<void(Outcome<Done>)> done) override;
  void list(std::function<void(Outcome<std::vector<NodeRecord>>)> done) override;
  void leave(std::function<void(Outcome<Done>)> done) override;

 private:
  std::string setKey() const;
  std::string recordKey(const std::string& id) const;
  // Adds this node's last announcement when the stored list lacks it.
  std::vector<NodeRecord> withSelf(std::vector<NodeRecord> nodes);

  RedisLink& link_;
  const int64_t ttlMs_;
  std::mutex mutex_;
  std::optional<NodeRecord> self_;  // the last announcement, until leave()
};

}  // namespace onair::engine::redis
