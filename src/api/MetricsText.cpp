#include "api/MetricsText.hpp"

#include <fmt/format.h>

#include <functional>
#include <map>

namespace onair::api {
namespace {

using Getter = std::function<uint64_t(net::LoopMetrics&)>;

void perShard(std::string& out, const std::vector<net::EventLoop*>& loops, const char* name, const char* type,
              const char* help, const Getter& get) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  for (auto* l : loops) out += fmt::format("{}{{shard=\"{}\"}} {}\n", name, l->index(), get(l->metrics()));
}

uint64_t read(const net::LoopMetrics::Counter& c) { return c.load(std::memory_order_relaxed); }

}  // namespace

std::string renderMetrics(const std::vector<net::EventLoop*>& loops, const std::string& version) {
  std::string out;
  out += "# HELP onair_build_info Build information.\n# TYPE onair_build_info gauge\n";
  out += fmt::format("onair_build_info{{version=\"{}\"}} 1\n", version);
  perShard(out, loops, "onair_connections", "gauge", "Open WebSocket connections.", [](auto& m) { return read(m.connections); });
  perShard(out, loops, "onair_connections_total", "counter", "WebSocket connections accepted.", [](auto& m) { return read(m.connectionsTotal); });
  perShard(out, loops, "onair_frames_in_total", "counter", "WebSocket data messages received.", [](auto& m) { return read(m.framesIn); });
  perShard(out, loops, "onair_frames_out_total", "counter", "WebSocket frames written to sockets.", [](auto& m) { return read(m.framesOut); });
  perShard(out, loops, "onair_bytes_in_total", "counter", "Bytes read from WebSocket connections.", [](auto& m) { return read(m.bytesIn); });
  perShard(out, loops, "onair_bytes_out_total", "counter", "Bytes written to WebSocket connections.", [](auto& m) { return read(m.bytesOut); });
  perShard(out, loops, "onair_send_queue_drops_total", "counter", "Connections closed as slow consumers (4008).", [](auto& m) { return read(m.sendQueueDrops); });
  perShard(out, loops, "onair_relay_chunks_dropped_total", "counter", "Portal-relay chunks skipped by lagging viewers (up to the next key chunk).", [](auto& m) { return read(m.chunksDropped); });
  perShard(out, loops, "onair_http_requests_total", "counter", "HTTP requests parsed.", [](auto& m) { return read(m.httpRequests); });
  perShard(out, loops, "onair_connections_refused_total", "counter",
           "TCP connections refused because their address had http.max_connections_per_address open (HTTP 429 cap_exceeded).",
           [](auto& m) { return read(m.connectionsRefused); });
  // Lag is kept in microseconds; Prometheus wants seconds.
  out += "# HELP onair_loop_lag_seconds Lateness of the loop's 250 ms timer at its last tick.\n# TYPE onair_loop_lag_seconds gauge\n";
  for (auto* l : loops) out += fmt::format("onair_loop_lag_seconds{{shard=\"{}\"}} {:.6f}\n", l->index(), read(l->metrics().loopLagMicros) / 1e6);
  out += "# HELP onair_loop_lag_max_seconds Worst loop lag since start.\n# TYPE onair_loop_lag_max_seconds gauge\n";
  for (auto* l : loops) out += fmt::format("onair_loop_lag_max_seconds{{shard=\"{}\"}} {:.6f}\n", l->index(), read(l->metrics().loopLagMaxMicros) / 1e6);
  // Requests by op and outcome, summed over shards.
  std::map<std::pair<std::string, std::string>, uint64_t> requests;
  for (auto* l : loops) {
    for (const auto& [key, n] : l->metrics().requestCounts()) requests[key] += n;
  }
  out += "# HELP onair_requests_total Client requests by op and outcome (ok or an error code).\n# TYPE onair_requests_total counter\n";
  for (const auto& [key, n] : requests) out += fmt::format("onair_requests_total{{op=\"{}\",code=\"{}\"}} {}\n", key.first, key.second, n);
  return out;
}

}  // namespace onair::api
