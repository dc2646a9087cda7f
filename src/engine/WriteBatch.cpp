#include "engine/WriteBatch.hpp"

#include <algorithm>
#include <utility>
#include <vector>

namespace onair::engine {
namespace {

struct PendingWakes {
  int depth = 0;
  std::vector<std::pair<const void*, std::function<void()>>> wakes;
};

PendingWakes& pending() {
  thread_local PendingWakes state;
  return state;
}

}  // namespace

WriteBatch::WriteBatch() { ++pending().depth; }

WriteBatch::~WriteBatch() {
  auto& state = pending();
  if (--state.depth > 0) return;
  auto wakes = std::exchange(state.wakes, {});
  for (auto& [key, wake] : wakes) wake();
}

void WriteBatch::wakeWhenDone(const void* key, std::function<void()> wake) {
  auto& state = pending();
  if (state.depth == 0) return wake();
  const bool queued = std::any_of(state.wakes.begin(), state.wakes.end(), [&](const auto& entry) { return entry.first == key; });
  if (!queued) state.wakes.emplace_back(key, std::move(wake));
}

}  // namespace onair::engine
