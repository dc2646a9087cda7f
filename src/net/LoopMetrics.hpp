#pragma once
// Counters of one event loop. Written only by the loop's own thread (relaxed single-writer
// increments: no lock, no contention); read from any thread by /metrics.
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace onair::net {

class LoopMetrics {
 public:
  using Counter = std::atomic<uint64_t>;

  static void add(Counter& c, uint64_t n = 1) { c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  static void sub(Counter& c, uint64_t n = 1) { c.store(c.load(std::memory_order_relaxed) - n, std::memory_order_relaxed); }

  Counter connections{0};      // open WebSocket connections
  Counter connectionsTotal{0}; // accepted since start
  Counter framesIn{0};
  Counter framesOut{0};
  Counter bytesIn{0};
  Counter bytesOut{0};
  Counter sendQueueDrops{0};   // connections closed as slow consumers
  Counter chunksDropped{0};    // media chunks skipped by lagging connections (to the next key)
  Counter httpRequests{0};
  Counter connectionsRefused{0}; // refused at http.max_connections_per_address (HTTP 429)
  Counter loopLagMicros{0};    // last measured lag of the loop's timer
  Counter loopLagMaxMicros{0}; // worst lag since start

  // Requests by (op, outcome) where outcome is "ok" or an error code. Allocates only the first
  // time a pair is seen (lookups by string_view). The loop's thread is the only writer: it finds
  // a pair's counter without the lock (readers only read the tables) and locks only to add a
  // pair, which is when a reader iterating them must be kept out.
  void countRequest(std::string_view op, std::string_view outcome);
  std::map<std::pair<std::string, std::string>, uint64_t> requestCounts() const;

 private:
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  // Node-based: counters never move, so a found counter stays valid while pairs are added.
  using ByOutcome = std::unordered_map<std::string, Counter, TextHash, std::equal_to<>>;
  mutable std::mutex requestsMutex_;  // taken by /metrics and when a new pair is added
  std::unordered_map<std::string, ByOutcome, TextHash, std::equal_to<>> requests_;  // op → outcome → count
};

}  // namespace onair::net
