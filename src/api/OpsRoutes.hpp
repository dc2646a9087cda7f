#pragma once
// Plain operator endpoints: GET /healthz (process alive), GET /readyz (engine ready and
// listeners up), GET /metrics (Prometheus text: the loops' counters, then what `moreMetrics`
// renders, e.g. the media plane's; it is called on the requesting shard's thread).
#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "net/EventLoop.hpp"

namespace onair::engine {
class Engine;
}

namespace onair::api {

class HttpRouter;

void registerOpsRoutes(HttpRouter& router, const engine::Engine& engine, std::vector<net::EventLoop*> loops,
                       const std::atomic<bool>& accepting, std::function<std::string()> moreMetrics = {});

}  // namespace onair::api
