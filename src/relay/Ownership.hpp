#pragma once
// Which node owns a stage or a stream room (OwnerKey) while several nodes serve together.
//
// The owner of key K is recorded in the Registry as "owner:<K>" (the node id). A record naming a
// live node (engine::Nodes) stands; a missing one, or one naming a node that is gone, is taken
// over by the asking node with a compare-and-set on the record's version, so two nodes asking at
// once agree on one owner — provided the object exists (one of its records does): a name nobody
// created gets no owner and no record (the request is served where it arrived, and fails there). An owner keeps its objects for as long as it lives: "the lease" is its
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
#include "relay/OwnedObject.hpp"

namespace onair::relay {

class Ownership {
 public:
  using LiveNodes = std::shared_ptr<const std::set<std::string>>;

  explicit Ownership(engine::Engine& engine) : engine_(engine) {}

  // The owner of `object` (this node's id when it is, or has just become, the owner); nullopt
  // when the object does not exist.
  using Resolved = engine::Outcome<std::optional<std::string>>;
  void resolve(const OwnedObject& object, std::function<void(Resolved)> done);
  // The node the record of `key` names now ("" when none), without taking anything over: an
  // owner checks it still is one (its record may have been taken while it looked gone).
  void recorded(const std::string& key, std::function<void(engine::Outcome<std::string>)> done);
  // The ids of the live nodes, read again when the last read is older than kFreshFor.
  void liveNodes(std::function<void(engine::Outcome<LiveNodes>)> done);

 private:
  static constexpr std::chrono::milliseconds kFreshFor{1000};
  // Takes `key` over when `current` (its record, version 0 when missing) names no live node.
  void settle(const std::string& key, const engine::Record& current, const LiveNodes& live, int attempts,
              std::function<void(Resolved)> done);
  // Whether any of `records` (from the `next`th on) exists.
  void exists(std::vector<std::string> records, size_t next, std::function<void(engine::Outcome<bool>)> done);

  engine::Engine& engine_;
  std::mutex mutex_;
  LiveNodes live_;
  std::chrono::steady_clock::time_point readAt_{};
};

}  // namespace onair::relay
