#pragma once
// The engines the conformance suite runs against (DESIGN.md §4: one suite, every implementation).
// Each suite is instantiated over allEngines(); adding an engine is one line in Engines.cpp.
#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "engine/Engine.hpp"

namespace onair::conformance {

struct EngineFactory {
  // Test-name suffix ("Embedded"); letters and digits only (GoogleTest parameter names).
  std::string name;
  // Opens an engine whose durable state lives in `dataDir`. Calling it again with the same
  // directory after the previous engine was stopped and destroyed must see the same state.
  std::function<std::unique_ptr<engine::Engine>(const std::string& dataDir)> make;
  // Multi-node engines only (empty otherwise): another node on the state `make(dataDir)` uses,
  // whose presence entries expire presenceTtlMs after it stops refreshing them.
  std::function<std::unique_ptr<engine::Engine>(const std::string& dataDir, int64_t presenceTtlMs)> makePeerWithTtl;
  // Opens a second node beside the one `make` opened on `dataDir`: another engine sharing its
  // durable state and broker (Redis: same prefix, another node id). Empty for single-node
  // engines (embedded), whose broker is always subscribed; multi-node tests skip them.
  std::function<std::unique_ptr<engine::Engine>(const std::string& dataDir)> makePeer;
  // Another node sharing the state of make(dataDir)'s engine, named `nodeId`, whose node record
  // lives `nodeTtlMs` (engine::Nodes). Empty for engines that are one process alone (Embedded).
  std::function<std::unique_ptr<engine::Engine>(const std::string& dataDir, const std::string& nodeId, int64_t nodeTtlMs)>
      makeNodePeer;
};

std::vector<EngineFactory> allEngines();

// Keeps GoogleTest from dumping the std::function's bytes in test listings.
inline void PrintTo(const EngineFactory& factory, std::ostream* os) { *os << factory.name; }

}  // namespace onair::conformance
