#pragma once
// Plain operator endpoints: GET /healthz (process alive), GET /readyz (engine ready and
// listeners up), GET /metrics (Prometheus text).
#include <atomic>
#include <vector>

#include "net/EventLoop.hpp"

namespace onair::engine {
class Engine;
}

namespace onair::api {

class HttpRouter;

void registerOpsRoutes(HttpRouter& router, const engine::Engine& engine, std::vector<net::EventLoop*> loops,
                       const std::atomic<bool>& accepting);

}  // namespace onair::api
