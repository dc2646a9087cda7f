#pragma once
// The engine seam (DESIGN.md §4): one object per process that gives the surfaces their Broker,
// History, Leases, Presence and Registry. The foundation defines only health; the rooms issue
// adds the interfaces, each with its ordering and atomicity contract.
#include <string_view>

namespace onair::engine {

class Engine {
 public:
  virtual ~Engine() = default;
  // "embedded" or "redis", for logs and /readyz.
  virtual std::string_view name() const = 0;
  // True when the engine can serve requests now (for /readyz). Cheap; callable from any thread.
  virtual bool ready() const = 0;
};

}  // namespace onair::engine
