#pragma once
// Leases in Redis (see engine/Leases.hpp), shared by every node: a cap of 4 holds across nodes.
//
// - A capped set is a sorted set `<prefix>:l:{capKey}` of slotId → expiresAtMs. Each operation is
//   one Lua script: it drops expired slots, changes the set and sets the key to expire with its
//   latest slot, so sets nobody releases vanish by themselves.
// - A rate window is a counter `<prefix>:r:{key}` that expires windowMs after its first hit.
// - Time is Redis's clock (TIME inside the scripts): one clock for all nodes. expiresAtMs is on
//   that clock (Unix ms).
// Completions run on the engine's thread; an outage is an EngineError.
#include "engine/Leases.hpp"
#include "engine/redis/RedisLink.hpp"

namespace onair::engine::redis {

class RedisLeases final : public Leases {
 public:
  explicit RedisLeases(RedisLink& link) : link_(link) {}
  void acquire(const std::string& capKey, const std::string& slotId, uint32_t cap, int64_t ttlMs,
               std::function<void(Outcome<SlotGrant>)> done) override;
  void renew(const std::string& capKey, const std::string& slotId, int64_t ttlMs,
             std::function<void(Outcome<std::optional<int64_t>>)> done) override;
  void release(const std::string& capKey, const std::string& slotId, std::function<void(Outcome<Done>)> done) override;
  void hit(const std::string& key, uint32_t limit, int64_t windowMs, std::function<void(Outcome<RateResult>)> done) override;

  // The scripts' replies read back (public for tests): an EngineError for a failed command or a
  // reply of another shape.
  static Outcome<SlotGrant> grantOf(const RedisOutcome& outcome);
  static Outcome<std::optional<int64_t>> renewalOf(const RedisOutcome& outcome);
  static Outcome<RateResult> rateOf(const RedisOutcome& outcome);

 private:
  RedisLink& link_;
};

}  // namespace onair::engine::redis
