#pragma once
// Leases in process memory (see engine/Leases.hpp). Thread-safe; completions run synchronously.
// Expiry is lazy: a set is pruned when touched, so an expired slot never holds a cap.
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <boost/unordered/unordered_flat_map.hpp>

#include "engine/Leases.hpp"

namespace onair::engine::memory {

class MemoryLeases final : public Leases {
 public:
  using Clock = std::function<int64_t()>;  // ms; injectable for tests
  MemoryLeases();
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
  // Open-addressing tables: keys and values inline, one probe group per lookup (the churn path
  // does four lease calls per attach/heartbeat/release cycle).
  using SlotSet = boost::unordered_flat_map<std::string, int64_t>;  // slot → expiry
  void prune(SlotSet& slots, int64_t now);
  void forgetEmptySets(const SlotSet& keep);
  static constexpr size_t kMinSweepAt = 1024;

  Clock clock_;
  std::mutex mutex_;
  boost::unordered_flat_map<std::string, SlotSet> sets_;  // capKey → its slots
  boost::unordered_flat_map<std::string, Window> windows_;
  size_t sweepAt_ = kMinSweepAt;  // sets_.size() that triggers the next sweep of empty sets
};

}  // namespace onair::engine::memory
