#pragma once
// Nodes of the embedded engine (see engine/Nodes.hpp): one process is the whole deployment, so
// list() holds this node alone, once it has announced. Thread-safe; completions run
// synchronously, before the call returns.
#include <mutex>
#include <optional>
#include <string>

#include "engine/Nodes.hpp"

namespace onair::engine::memory {

class MemoryNodes final : public Nodes {
 public:
  // The record needs no expiry here; the TTL only sets how often the stats are refreshed.
  static constexpr int64_t kTtlMs = 3000;

  explicit MemoryNodes(std::string selfId) : selfId_(std::move(selfId)) {}

  const std::string& selfId() const override { return selfId_; }
  int64_t ttlMs() const override { return kTtlMs; }
  void announce(NodeAnnouncement self, std::function<void(Outcome<Done>)> done) override;
  void list(std::function<void(Outcome<std::vector<NodeRecord>>)> done) override;
  void leave(std::function<void(Outcome<Done>)> done) override;

 private:
  const std::string selfId_;
  std::mutex mutex_;
  std::optional<NodeRecord> self_;
};

}  // namespace onair::engine::memory
