#include "Engines.hpp"

#include "engine/EmbeddedEngine.hpp"

namespace onair::conformance {

std::vector<EngineFactory> allEngines() {
  return {
      {"Embedded", [](const std::string& dir) { return std::make_unique<engine::EmbeddedEngine>(dir); }},
  };
}

}  // namespace onair::conformance
