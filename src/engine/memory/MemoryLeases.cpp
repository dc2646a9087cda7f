#include "engine/memory/MemoryLeases.hpp"

#include <algorithm>
#include <boost/container_hash/hash.hpp>
#include <chrono>

#include "util/SwapErase.hpp"

namespace onair::engine::memory {

int64_t MemoryLeases::now() const {
  if (clock_) return clock_();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

uint64_t MemoryLeases::hashOf(const std::string& slotId) { return boost::hash<std::string>()(slotId); }

MemoryLeases::Held* MemoryLeases::find(SlotSet& slots, uint64_t hash, const std::string& slotId) {
  for (auto& held : slots) {
    if (held.hash == hash && held.slotId == slotId) return &held;
  }
  return nullptr;
}

// Drops expired slots (order is not kept: a set is a bag).
void MemoryLeases::prune(SlotSet& slots, int64_t now) {
  for (size_t i = 0; i < slots.size();) {
    if (slots[i].expiresAtMs > now) {
      ++i;
      continue;
    }
    util::swapErase(slots, slots[i]);
  }
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
  const uint64_t hash = hashOf(slotId);
  {
    std::lock_guard lock(mutex_);
    const int64_t t = now();
    auto [set, added] = sets_.try_emplace(capKey);
    auto& slots = set->second;
    if (added) forgetEmptySets(slots);  // may move elements, never `slots` itself
    prune(slots, t);
    if (Held* held = find(slots, hash, slotId)) {
      held->expiresAtMs = t + ttlMs;
      grant = {true, static_cast<uint32_t>(slots.size()), t + ttlMs};
    } else if (slots.size() < cap) {
      slots.push_back({hash, slotId, t + ttlMs});
      grant = {true, static_cast<uint32_t>(slots.size()), t + ttlMs};
    } else {
      grant = {false, static_cast<uint32_t>(slots.size()), 0};
    }
  }
  done(grant);
}

void MemoryLeases::renew(const std::string& capKey, const std::string& slotId, int64_t ttlMs,
                         std::function<void(Outcome<std::optional<int64_t>>)> done) {
  std::optional<int64_t> expiry;
  const uint64_t hash = hashOf(slotId);
  {
    std::lock_guard lock(mutex_);
    const int64_t t = now();
    auto set = sets_.find(capKey);
    if (set != sets_.end()) {
      Held* held = find(set->second, hash, slotId);
      if (held && held->expiresAtMs > t) expiry = held->expiresAtMs = t + ttlMs;
    }
  }
  done(expiry);
}

void MemoryLeases::release(const std::string& capKey, const std::string& slotId, std::function<void(Outcome<Done>)> done) {
  const uint64_t hash = hashOf(slotId);
  {
    std::lock_guard lock(mutex_);
    auto set = sets_.find(capKey);
    if (set != sets_.end()) {
      auto& slots = set->second;
      if (Held* held = find(slots, hash, slotId)) util::swapErase(slots, *held);
    }
  }
  done(Done{});
}

void MemoryLeases::hit(const std::string& key, uint32_t limit, int64_t windowMs, std::function<void(Outcome<RateResult>)> done) {
  RateResult result;
  {
    std::lock_guard lock(mutex_);
    const int64_t t = now();
    auto& w = windows_[key];
    if (t - w.startMs >= windowMs) w = {t, 0};
    if (w.count >= limit) {
      result = {false, w.startMs + windowMs - t};
    } else {
      ++w.count;
    }
    // Keep the map from growing without bound: forget windows long past.
    if (windows_.size() > 100000) boost::unordered::erase_if(windows_, [&](const auto& e) { return t - e.second.startMs >= windowMs; });
  }
  done(result);
}

}  // namespace onair::engine::memory
