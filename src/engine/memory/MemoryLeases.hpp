#pragma once
// Leases in process memory (see engine/Leases.hpp). Thread-safe; completions run synchronously.
// Expiry is lazy: a set is pruned when touched, so an expired slot never holds a cap.
#include <boost/container/small_vector.hpp>
#include <boost/unordered/unordered_flat_map.hpp>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "engine/Leases.hpp"

namespace onair::engine::memory {

class MemoryLeases final : public Leases {
 public:
  using Clock = std::function<int64_t()>;  // ms; injectable for tests
  MemoryLeases() = default;
  explicit MemoryLeases(Clock clock) : clock_(std::move(clock)) {}

  void acquire(const std::string& capKey, const std::string& slotId, uint32_t cap, int64_t ttlMs,
               std::function<void(Outcome<SlotGrant>)> done) override;
  void renew(const std::string& capKey, const std::string& slotId, int64_t ttlMs,
             std::function<void(Outcome<std::optional<int64_t>>)> done) override;
  void release(const std::string& capKey, const std::string& slotId, std::function<void(Outcome<Done>)> done) override;
  void hit(const std::string& key, uint32_t limit, int64_t windowMs, std::function<void(Outcome<RateResult>)> done) override;

 private:
  struct Window {
    int64_t startMs = 0;
    uint32_t count = 0;
  };
  struct Held {
    uint64_t hash = 0;  // of slotId: a scan compares strings only on a hash match
    std::string slotId;
    int64_t expiresAtMs = 0;
  };
  // A set holds at most its cap, and caps are small (a user's app or browser slots): its slots
  // sit inline in the set's table element and are scanned. One element per lease call instead of
  // a second hash table per set (two more cache misses per call on the churn path).
  using SlotSet = boost::container::small_vector<Held, 4>;

  int64_t now() const;
  static uint64_t hashOf(const std::string& slotId);
  static Held* find(SlotSet& slots, uint64_t hash, const std::string& slotId);
  static void prune(SlotSet& slots, int64_t now);
  void forgetEmptySets(const SlotSet& keep);
  static constexpr size_t kMinSweepAt = 1024;

  Clock clock_;  // empty: the steady clock
  std::mutex mutex_;
  boost::unordered_flat_map<std::string, SlotSet> sets_;  // capKey → its slots
  boost::unordered_flat_map<std::string, Window> windows_;
  size_t sweepAt_ = kMinSweepAt;  // sets_.size() that triggers the next sweep of empty sets
};

}  // namespace onair::engine::memory
