#pragma once
// The engine seam (DESIGN.md §4): one object per process that gives the surfaces their Broker,
// History, Leases, Presence, Registry and Nodes. app/ picks the
// implementation from config; surfaces only see these interfaces.
#include <string_view>

#include "engine/Broker.hpp"
#include "engine/History.hpp"
#include "engine/Leases.hpp"
#include "engine/Nodes.hpp"
#include "engine/Presence.hpp"
#include "engine/Registry.hpp"

namespace onair::engine {

class Engine {
 public:
  virtual ~Engine() = default;
  // "embedded" or "redis", for logs and /readyz.
  virtual std::string_view name() const = 0;
  // True when the engine can serve requests now (for /readyz). Cheap; callable from any thread.
  virtual bool ready() const = 0;

  // Finishes queued work (its completions still run) and stops the engine's threads. Called
  // once the loops have stopped, before the engine is destroyed.
  virtual void stop() = 0;

  virtual Broker& broker() = 0;
  virtual History& history() = 0;
  virtual Leases& leases() = 0;
  virtual Presence& presence() = 0;
  virtual Registry& registry() = 0;
  virtual Nodes& nodes() = 0;
};

}  // namespace onair::engine
