#include "hub/ShardPool.hpp"

#include <stdexcept>

namespace onair::hub {

ShardPool::ShardPool(size_t count, const net::WsSettings& settings) {
  if (count == 0 || count > kMaxShards) throw std::invalid_argument("threads must be between 1 and 64");
  for (size_t i = 0; i < count; ++i) loops_.push_back(std::make_unique<net::EventLoop>(i, settings));
  hubs_.resize(count);
  interest_.resize(count);
}

ShardPool::~ShardPool() {
  stop();
  join();
}

std::vector<net::EventLoop*> ShardPool::loops() {
  std::vector<net::EventLoop*> out;
  for (auto& l : loops_) out.push_back(l.get());
  return out;
}

size_t ShardPool::ownerOf(std::string_view name) const {
  // A topic "<prefix>:<name>" is owned where <name> is, so one object's topics share an owner.
  if (auto colon = name.find(':'); colon != std::string_view::npos && colon <= 3) name.remove_prefix(colon + 1);
  return ownerOfName(name);
}

size_t ShardPool::ownerOfName(std::string_view name) const {
  // FNV-1a: stable across processes and builds, unlike std::hash.
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : name) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return static_cast<size_t>(h % loops_.size());
}

void ShardPool::subscribe(size_t shard, const std::string& topic, net::FrameSink* sink, std::function<void()> done) {
  size_t owner = ownerOf(topic);
  post(owner, [this, owner, shard, topic, sink, done = std::move(done)]() mutable {
    addInterest(topic, shard);
    post(shard, [this, owner, shard, topic, sink, done = std::move(done)] {
      // Already subscribed: give back the interest counted for this call.
      if (!hubs_[shard].subscribe(topic, sink)) post(owner, [this, topic, shard] { removeInterest(topic, shard); });
      if (done) done();
    });
  });
}

void ShardPool::unsubscribe(size_t shard, const std::string& topic, net::FrameSink* sink) {
  if (!hubs_[shard].unsubscribe(topic, sink)) return;
  run(ownerOf(topic), [this, shard, topic] { removeInterest(topic, shard); });
}

void ShardPool::addInterest(const std::string& topic, size_t shard) {
  auto& interest = interest_[ownerOf(topic)][topic];
  if (interest.counts.empty()) interest.counts.resize(loops_.size());
  if (interest.counts[shard]++ == 0) interest.mask |= (uint64_t{1} << shard);
  ++interest.total;
}

void ShardPool::removeInterest(const std::string& topic, size_t shard) {
  auto& topics = interest_[ownerOf(topic)];
  auto it = topics.find(topic);
  if (it == topics.end() || it->second.counts[shard] == 0) return;
  auto& interest = it->second;
  if (--interest.counts[shard] == 0) interest.mask &= ~(uint64_t{1} << shard);
  if (--interest.total == 0) topics.erase(it);
}

void ShardPool::clearInterest(const std::string& topic) { interest_[ownerOf(topic)].erase(topic); }

size_t ShardPool::subscriptions(const std::string& topic) const {
  const auto& topics = interest_[ownerOf(topic)];
  auto it = topics.find(topic);
  return it == topics.end() ? 0 : it->second.total;
}

size_t ShardPool::publish(const std::string& topic, const net::SharedFrame& frame, uint8_t flags) {
  size_t owner = ownerOf(topic);
  auto it = interest_[owner].find(topic);
  if (it == interest_[owner].end()) return 0;
  size_t sent = 0;
  for (uint64_t mask = it->second.mask; mask != 0; mask &= mask - 1) {
    size_t shard = static_cast<size_t>(__builtin_ctzll(mask));
    ++sent;
    if (shard == owner) {
      hubs_[shard].deliver(topic, frame, flags);
    } else {
      post(shard, [this, shard, topic, frame, flags] { hubs_[shard].deliver(topic, frame, flags); });
    }
  }
  return sent;
}

void ShardPool::start() {
  for (auto& l : loops_) l->start();
}

void ShardPool::stop() {
  for (auto& l : loops_) l->stop();
}

void ShardPool::join() {
  for (auto& l : loops_) l->join();
}

}  // namespace onair::hub
