#pragma once
// The embedded engine: in-process state (and, with the rooms issue, SQLite in the data dir).
#include "engine/Engine.hpp"

namespace onair::engine::memory {

class MemoryEngine final : public Engine {
 public:
  std::string_view name() const override { return "embedded"; }
  bool ready() const override { return true; }
};

}  // namespace onair::engine::memory
