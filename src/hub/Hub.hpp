#pragma once
// One shard's subscriber sets: topic → the local sinks subscribed to it. Delivery queues the
// same shared frame on each sink: no copy, no JSON, no allocation per subscriber.
// Threading: owned and used by one loop thread only.
#include <cstddef>
#include <string>
#include <boost/unordered/unordered_flat_map.hpp>
#include <vector>

#include "net/FrameSink.hpp"

namespace onair::hub {

class Hub {
 public:
  // Returns false when `sink` was already subscribed to `topic`.
  bool subscribe(const std::string& topic, net::FrameSink* sink);
  // Returns false when `sink` was not subscribed to `topic`.
  bool unsubscribe(const std::string& topic, net::FrameSink* sink);
  // Removes every local subscriber of `topic`; returns how many there were.
  size_t drop(const std::string& topic);
  // Queues `frame` on every local subscriber of `topic`; returns how many.
  size_t deliver(const std::string& topic, const net::SharedFrame& frame, uint8_t flags = 0);
  size_t subscriberCount(const std::string& topic) const;
  size_t topicCount() const { return topics_.size(); }

 private:
  struct Subscribers {
    std::vector<net::FrameSink*> list;                    // iteration order for delivery
    boost::unordered_flat_map<net::FrameSink*, size_t> indexOf;  // O(1) removal
  };
  // Open addressing: a topic lookup per delivered message and per (un)subscribe is one probe
  // group. Safe here because nothing subscribes or unsubscribes during a delivery (FrameSink).
  boost::unordered_flat_map<std::string, Subscribers> topics_;
};

}  // namespace onair::hub
