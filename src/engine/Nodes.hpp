#pragma once
// Nodes: the onair processes serving together (DESIGN.md §4). Each node announces itself with a
// TTL; any node lists the live ones (for the aggregated sys.stats and GET /v1/stats).
//
// Contract:
// - selfId() is this node's id (unique per process run); it never changes.
// - announce() writes or refreshes this node's record (id = selfId(), the given address,
//   start time and stats JSON) for ttlMs(). The caller announces again at least every
//   ttlMs() / 3 (app/NodeAnnouncer does every refreshIntervalMs()); a node that stops (crash,
//   kill -9, lost network) drops out of list() within ttlMs() of its last announcement.
// - list() returns the records of the live nodes, sorted by id. Once this node has announced,
//   its last announcement is in the list even when its stored record lapsed meanwhile.
// - leave() removes this node's record at once (graceful shutdown); announcing afterwards
//   brings it back. Leaving when absent succeeds.
// - Completions may run synchronously or on the engine's thread. An outage is an EngineError
//   (→ service_unavailable).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/EngineError.hpp"

namespace onair::engine {

struct NodeAnnouncement {
  std::string address;         // where clients and other nodes reach this node (host:port)
  int64_t startedAtMs = 0;     // Unix ms when the node started
  std::string statsJson = "{}";  // the node's own totals (a JSON object), refreshed with each announce
};

struct NodeRecord {
  std::string id;
  std::string address;
  int64_t startedAtMs = 0;
  std::string statsJson = "{}";
};

class Nodes {
 public:
  virtual ~Nodes() = default;
  virtual const std::string& selfId() const = 0;
  // How long a record lives without a new announcement.
  virtual int64_t ttlMs() const = 0;
  // How often a node should announce (a third of the TTL: two announcements may fail in a row).
  int64_t refreshIntervalMs() const { return ttlMs() / 3 > 0 ? ttlMs() / 3 : 1; }

  virtual void announce(NodeAnnouncement self, std::function<void(Outcome<Done>)> done) = 0;
  virtual void list(std::function<void(Outcome<std::vector<NodeRecord>>)> done) = 0;
  virtual void leave(std::function<void(Outcome<Done>)> done) = 0;
};

}  // namespace onair::engine
