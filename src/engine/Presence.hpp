#pragma once
// Presence: who is in a room, with their metadata and presence state (DESIGN.md §4).
//
// Contract: one entry per (room, userId); put() replaces the entry; remove() of an absent entry
// succeeds; list() returns the entries in join order. Entries carry no expiry in the embedded
// engine (the owning node removes them when the member leaves); a multi-node engine expires
// entries whose node stopped refreshing them. Completions may run synchronously.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/EngineError.hpp"

namespace onair::engine {

struct PresenceEntry {
  std::string userId;
  std::string name;
  std::string metadataJson = "{}";
  std::string presenceJson = "null";
  int64_t joinedAtMs = 0;
};

class Presence {
 public:
  virtual ~Presence() = default;
  virtual void put(std::string room, PresenceEntry entry, std::function<void(Outcome<Done>)> done) = 0;
  virtual void remove(std::string room, std::string userId, std::function<void(Outcome<Done>)> done) = 0;
  virtual void list(std::string room, std::function<void(Outcome<std::vector<PresenceEntry>>)> done) = 0;
  virtual void clear(std::string room, std::function<void(Outcome<Done>)> done) = 0;
};

}  // namespace onair::engine
