#pragma once
// Renders the loops' counters in the Prometheus text exposition format (version 0.0.4).
#include <string>
#include <vector>

#include "net/EventLoop.hpp"

namespace onair::api {

std::string renderMetrics(const std::vector<net::EventLoop*>& loops, const std::string& version);

}  // namespace onair::api
