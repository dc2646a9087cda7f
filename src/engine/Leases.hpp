#pragma once
// Leases: capped sets of expiring slots and rate windows (DESIGN.md §4), for live attach slots,
// their caps per (scope, kind) and attach rate limits.
//
// Contract:
// - acquire() grants `slotId` in set `capKey` for ttlMs when fewer than `cap` unexpired slots are
//   held there (an expired slot frees its place at once); re-acquiring a held slot renews it.
//   The count returned is the number of unexpired slots after the call.
// - renew() extends a held, unexpired slot; else returns nullopt.
// - release() of an absent slot succeeds (idempotent).
// - hit() counts one event in a fixed window of windowMs per key; over `limit` it is refused with
//   the time left in the window.
// - Completions may run synchronously. An outage is an EngineError (→ service_unavailable).
// - Keys are read during the call only: an implementation that completes later copies them.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "engine/EngineError.hpp"

namespace onair::engine {

struct SlotGrant {
  bool granted = false;
  uint32_t count = 0;         // unexpired slots in the set after the call
  int64_t expiresAtMs = 0;    // when granted
};

struct RateResult {
  bool allowed = true;
  int64_t retryAfterMs = 0;   // when refused
};

class Leases {
 public:
  virtual ~Leases() = default;
  virtual void acquire(const std::string& capKey, const std::string& slotId, uint32_t cap, int64_t ttlMs,
                       std::function<void(Outcome<SlotGrant>)> done) = 0;
  virtual void renew(const std::string& capKey, const std::string& slotId, int64_t ttlMs,
                     std::function<void(Outcome<std::optional<int64_t>>)> done) = 0;
  virtual void release(const std::string& capKey, const std::string& slotId, std::function<void(Outcome<Done>)> done) = 0;
  virtual void hit(const std::string& key, uint32_t limit, int64_t windowMs, std::function<void(Outcome<RateResult>)> done) = 0;
};

}  // namespace onair::engine
