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
  // FNV-1a: stable across processes and builds, unlike std::hash.
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : name) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return static_cast<size_t>(h % loops_.size());
}

void ShardPool::subscribe(size_t shard, const std::string& topic, net::FrameSink* sink, std::function<void()> done) {
  if (!hubs_[shard].subscribe(topic, sink)) {
    if (done) done();
    return;
  }
  size_t owner = ownerOf(topic);
  post(owner, [this, owner, shard, topic, done = std::move(done)]() mutable {
    interest_[owner][topic] |= (uint64_t{1} << shard);
    if (done) post(shard, std::move(done));
  });
}

void ShardPool::unsubscribe(size_t shard, const std::string& topic, net::FrameSink* sink) {
  if (!hubs_[shard].unsubscribe(topic, sink)) return;
  size_t owner = ownerOf(topic);
  post(owner, [this, owner, shard, topic] {
    auto it = interest_[owner].find(topic);
    if (it == interest_[owner].end()) return;
    it->second &= ~(uint64_t{1} << shard);
    if (it->second == 0) interest_[owner].erase(it);
  });
}

size_t ShardPool::publish(const std::string& topic, const net::SharedFrame& frame) {
  size_t owner = ownerOf(topic);
  auto it = interest_[owner].find(topic);
  if (it == interest_[owner].end()) return 0;
  size_t sent = 0;
  for (size_t shard = 0; shard < loops_.size(); ++shard) {
    if (!(it->second & (uint64_t{1} << shard))) continue;
    ++sent;
    if (shard == owner) {
      hubs_[shard].deliver(topic, frame);
    } else {
      post(shard, [this, shard, topic, frame] { hubs_[shard].deliver(topic, frame); });
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
