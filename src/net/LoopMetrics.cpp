#include "net/LoopMetrics.hpp"

namespace onair::net {

void LoopMetrics::countRequest(std::string_view op, std::string_view outcome) {
  std::lock_guard lock(requestsMutex_);
  auto byOp = requests_.find(op);
  if (byOp == requests_.end()) byOp = requests_.emplace(std::string(op), ByOutcome{}).first;
  auto count = byOp->second.find(outcome);
  if (count == byOp->second.end()) count = byOp->second.emplace(std::string(outcome), 0).first;
  ++count->second;
}

std::map<std::pair<std::string, std::string>, uint64_t> LoopMetrics::requestCounts() const {
  std::lock_guard lock(requestsMutex_);
  std::map<std::pair<std::string, std::string>, uint64_t> out;
  for (const auto& [op, outcomes] : requests_)
    for (const auto& [outcome, n] : outcomes) out[{op, outcome}] = n;
  return out;
}

}  // namespace onair::net
