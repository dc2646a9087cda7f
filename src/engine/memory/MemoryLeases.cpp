#include "engine/memory/MemoryLeases.hpp"

#include <algorithm>
#include <vector>

namespace onair::engine::memory {

MemoryLeases::MemoryLeases()
    : clock_([] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
      }) {}

void MemoryLeases::prune(SlotSet& slots, int64_t now) {
  boost::unordered::erase_if(slots, [now](const auto& s) { return s.second <= now; });
}

// A set that empties stays (a user cycling through attach and release would otherwise rebuild
// it every time); empty sets are dropped whenever the map has doubled since the last sweep.
void MemoryLeases::forgetEmptySets(const SlotSet& keep) {
  if (sets_.size() < sweepAt_) return;
  boost::unordered::erase_if(sets_, [&keep](const auto& e) { return e.second.empty() && &e.second != &keep; });
  sweepAt_ = std::max<size_t>(kMinSweepAt, sets_.size() * 2);
}

void MemoryLeases::acquire(const std::string& capKey, const std::string& slotId, uint32_t cap, int64_t ttlMs,
                           std::function<void(Outcome<SlotGrant>)> done) {
  SlotGrant grant;
  {
    std::lock_guard lock(mutex_);
    const int64_t now = clock_();
    auto [set, added] = sets_.try_emplace(capKey);
    auto& slots = set->second;
    if (added) forgetEmptySets(slots);
    prune(slots, now);
    auto it = slots.find(slotId);
    if (it != slots.end() || slots.size() < cap) {
      slots[slotId] = now + ttlMs;
      grant = {true, static_cast<uint32_t>(slots.size()), now + ttlMs};
    } else {
      grant = {false, static_cast<uint32_t>(slots.size()), 0};
    }
  }
  done(grant);
}

void MemoryLeases::renew(const std::string& capKey, const std::string& slotId, int64_t ttlMs,
                         std::function<void(Outcome<std::optional<int64_t>>)> done) {
  std::optional<int64_t> expiry;
  {
    std::lock_guard lock(mutex_);
    const int64_t now = clock_();
    auto set = sets_.find(capKey);
    if (set != sets_.end()) {
      auto it = set->second.find(slotId);
      if (it != set->second.end() && it->second > now) expiry = it->second = now + ttlMs;
    }
  }
  done(expiry);
}

void MemoryLeases::release(const std::string& capKey, const std::string& slotId, std::function<void(Outcome<Done>)> done) {
  {
    std::lock_guard lock(mutex_);
    auto set = sets_.find(capKey);
    if (set != sets_.end()) set->second.erase(slotId);
  }
  done(Done{});
}

void MemoryLeases::hit(const std::string& key, uint32_t limit, int64_t windowMs, std::function<void(Outcome<RateResult>)> done) {
  RateResult result;
  {
    std::lock_guard lock(mutex_);
    const int64_t now = clock_();
    auto& w = windows_[key];
    if (now - w.startMs >= windowMs) w = {now, 0};
    if (w.count >= limit) {
      result = {false, w.startMs + windowMs - now};
    } else {
      ++w.count;
    }
    // Keep the map from growing without bound: forget windows long past.
    if (windows_.size() > 100000) boost::unordered::erase_if(windows_, [&](const auto& e) { return now - e.second.startMs >= windowMs; });
  }
  done(result);
}

}  // namespace onair::engine::memory
