#pragma once
// The composition root (DESIGN.md §3): builds the engine, the shards, auth, the API and the
// listeners from a Config, runs until SIGINT/SIGTERM, then shuts down gracefully.
#include <string>

#include "app/Config.hpp"

namespace onair::app {

class Server {
 public:
  // Returns the process exit code: 0 after a clean shutdown, 1 when it could not start.
  static int run(Config config, const std::string& executable);
};

}  // namespace onair::app
