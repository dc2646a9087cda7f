#include "net/LoopMetrics.hpp"

namespace onair::net {

void LoopMetrics::countRequest(const std::string& op, std::string_view outcome) {
  std::lock_guard lock(requestsMutex_);
  ++requests_[{op, std::string(outcome)}];
}

std::map<std::pair<std::string, std::string>, uint64_t> LoopMetrics::requestCounts() const {
  std::lock_guard lock(requestsMutex_);
  return requests_;
}

}  // namespace onair::net
