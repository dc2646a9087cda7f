#include "net/LoopMetrics.hpp"

namespace onair::net {

void LoopMetrics::countRequest(std::string_view op, std::string_view outcome) {
  // Seen before (almost always): no lock, see the header.
  if (auto byOp = requests_.find(op); byOp != requests_.end()) {
    if (auto count = byOp->second.find(outcome); count != byOp->second.end()) return add(count->second);
  }
  std::lock_guard lock(requestsMutex_);
  auto byOp = requests_.try_emplace(std::string(op)).first;
  auto count = byOp->second.try_emplace(std::string(outcome), 0).first;
  add(count->second);
}

std::map<std::pair<std::string, std::string>, uint64_t> LoopMetrics::requestCounts() const {
  std::lock_guard lock(requestsMutex_);
  std::map<std::pair<std::string, std::string>, uint64_t> out;
  for (const auto& [op, outcomes] : requests_)
    for (const auto& [outcome, n] : outcomes) out[{op, outcome}] = n.load(std::memory_order_relaxed);
  return out;
}

}  // namespace onair::net
