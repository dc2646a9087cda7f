#pragma once
// The shards of the process (DESIGN.md §2): one EventLoop and one Hub per thread, owner-shard
// routing for named objects, and cross-shard fan-out.
//
// Fan-out contract: the owner shard of a topic counts, per shard, the subscriptions to it
// (interest). publish() runs on the owner, posts the shared frame once to each shard with
// interest, and each shard's hub queues it on its local subscribers. Interest is counted at the
// owner (not derived from the hubs) so that a subscribe and an unsubscribe racing from one shard
// can never leave a subscriber without interest. Subscribing is complete when its `done` callback
// runs (on the subscriber's shard): frames published after that reach it.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <boost/unordered/unordered_flat_map.hpp>
#include <vector>

#include "hub/Hub.hpp"
#include "net/EventLoop.hpp"

namespace onair::hub {

class ShardPool {
 public:
  static constexpr size_t kMaxShards = 64;

  ShardPool(size_t count, const net::WsSettings& settings);
  ~ShardPool();

  size_t size() const { return loops_.size(); }
  net::EventLoop& loop(size_t shard) { return *loops_[shard]; }
  Hub& hub(size_t shard) { return hubs_[shard]; }
  std::vector<net::EventLoop*> loops();

  // The shard that owns the object called `name`: stable for a given shard count. For a topic
  // "<prefix>:<name>" with a prefix of at most 3 characters, the owner of <name>.
  size_t ownerOf(std::string_view name) const;
  // The owner of an object's own name: no topic prefix is looked for or removed.
  size_t ownerOfName(std::string_view name) const;
  void post(size_t shard, std::function<void()> fn) { loops_[shard]->post(std::move(fn)); }
  // Runs `fn` now when called on `shard`'s thread (no allocation, no queueing), else posts it.
  // For hops whose callers hold no state that `fn` could invalidate: the request paths that
  // already run on the owner shard with one shard (or by hashing) skip a loop turn.
  template <class Fn>
  void run(size_t shard, Fn&& fn) {
    if (loops_[shard]->isCurrentThread()) return fn();
    post(shard, std::function<void()>(std::forward<Fn>(fn)));
  }

  // Called on `shard`'s thread.
  void subscribe(size_t shard, const std::string& topic, net::FrameSink* sink, std::function<void()> done = {});
  void unsubscribe(size_t shard, const std::string& topic, net::FrameSink* sink);
  // Called on the topic owner's thread. Returns the number of shards the frame was sent to.
  // `flags` (net::OutFrame::Flags) ride on the frame to each connection.
  size_t publish(const std::string& topic, const net::SharedFrame& frame, uint8_t flags = 0);

  // Owner-side interest bookkeeping, for surfaces that subscribe through the owner (owner thread).
  void addInterest(const std::string& topic, size_t shard);
  void removeInterest(const std::string& topic, size_t shard);
  void clearInterest(const std::string& topic);
  // Subscriptions to `topic` over all shards (owner thread).
  size_t subscriptions(const std::string& topic) const;

  void start();
  void stop();
  void join();

 private:
  std::vector<std::unique_ptr<net::EventLoop>> loops_;
  std::vector<Hub> hubs_;
  struct Interest {
    uint64_t mask = 0;               // shards with a count above zero
    std::vector<uint32_t> counts;    // subscriptions per shard
    size_t total = 0;
  };
  // interest_[owner][topic], touched only on the owner's thread.
  std::vector<boost::unordered_flat_map<std::string, Interest>> interest_;
};

}  // namespace onair::hub
