#pragma once
// Leases in Redis (see engine/Leases.hpp). STUB: being written.
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

 private:
  RedisLink& link_;
};

}  // namespace onair::engine::redis
