#pragma once
// Which node owns a stage or a stream room (OwnerKey) while several nodes serve together.
//
// The owner of key K is recorded in the Registry as "owner:<K>" (the node id). A record naming a
// live node (engine::Nodes) stands; a missing one, or one naming a node that is gone, is taken
// over by the asking node with a compare-and-set on the record's version, so two nodes asking at
// once agree on one owner. An owner keeps its objects for as long as it lives: "the lease" is its
// node record, which lapses within the node TTL after it dies; the next request for the object
// then makes a new owner, which loads the object from the Registry.
//
// Threading: any thread; completions run on the engine's thread (or at once).
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "engine/Engine.hpp"

namespace onair::relay {

class Ownership {
 public:
  using LiveNodes = std::shared_ptr<const std::set<std::string>>;

  explicit Ownership(engine::Engine& engine) : engine_(engine) {}

  // The owner of `key` (this node's id when it is, or has just become, the owner).
  void resolve(const std::string& key, std::function<void(engine::Outcome<std::string>)> done);
  // The ids of the live nodes, read again when the last read is older than kFreshFor.
  void liveNodes(std::function<void(engine::Outcome<LiveNodes>)> done);

 private:
  static constexpr std::chrono::milliseconds kFreshFor{1000};
  // Takes `key` over when `current` (its record, version 0 when missing) names no live node.
  void settle(const std::string& key, const engine::Record& current, const LiveNodes& live, int attempts,
              std::function<void(engine::Outcome<std::string>)> done);

  engine::Engine& engine_;
  std::mutex mutex_;
  LiveNodes live_;
  std::chrono::steady_clock::time_point readAt_{};
};

}  // namespace onair::relay
