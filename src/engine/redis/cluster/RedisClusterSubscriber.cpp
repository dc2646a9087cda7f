#include "engine/redis/cluster/RedisClusterSubscriber.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>

#include "engine/redis/cluster/HashSlot.hpp"

namespace onair::engine::redis::cluster {

namespace asio = boost::asio;
using Kind = RedisSubscriber::Kind;

RedisClusterSubscriber::RedisClusterSubscriber(asio::io_context& io, RedisClusterClient& cluster,
                                               MessageHandler onMessage, ResubscribedHandler onResubscribed)
    : io_(io),
      cluster_(cluster),
      onMessage_(std::move(onMessage)),
      onResubscribed_(std::move(onResubscribed)),
      pollTimer_(io) {
  topologyHandle_ = cluster_.addTopologyHandler([this] { place(); });
  place();  // the connections to the masters of a map known already
  armPoll();
}

RedisClusterSubscriber::~RedisClusterSubscriber() {
  cluster_.removeTopologyHandler(topologyHandle_);
  pollTimer_.cancel();
}

void RedisClusterSubscriber::subscribe(const std::string& channel, Kind kind, Confirmation confirmed) {
  if (kind != Kind::Shard) {
    return failLater(std::move(confirmed), RedisOutcome::Error::Server, "ERR only shard channels on a Redis Cluster");
  }
  const bool added = channels_.insert(channel).second;
  if (added) place(channel, &confirmed);
  if (!confirmed) return;
  // Not placed by place() just now: already placed (confirm by subscribing again), or nowhere.
  const auto placed = placed_.find(channel);
  const auto shard = placed == placed_.end() ? shards_.end() : shards_.find(placed->second);
  if (shard == shards_.end()) {
    cluster_.refreshSoon();
    return failLater(std::move(confirmed), RedisOutcome::Error::Disconnected, "no master known for the channel's slot");
  }
  shard->second->subscribe(channel, Kind::Shard, std::move(confirmed));
}

void RedisClusterSubscriber::failLater(Confirmation confirmed, RedisOutcome::Error why, std::string message) {
  if (!confirmed) return;
  asio::post(io_, [life = std::weak_ptr<int>(life_), confirmed = std::move(confirmed), why, message = std::move(message)] {
    if (!life.expired()) confirmed(RedisOutcome::failure(why, message));
  });
}

void RedisClusterSubscriber::unsubscribe(const std::string& channel, Kind kind) {
  if (kind != Kind::Shard || channels_.erase(channel) == 0) return;
  const auto placed = placed_.find(channel);
  if (placed == placed_.end()) return;
  const auto shard = shards_.find(placed->second);
  if (shard != shards_.end()) shard->second->unsubscribe(channel, Kind::Shard);
  placed_.erase(placed);
  retireLater();
}

// Puts every channel on the master serving its slot now (the one `confirming` with `*confirmed`,
// which is left empty when used); a channel that moves is reported with a resync once the new
// subscriptions are confirmed. Every master gets its connection.
void RedisClusterSubscriber::place(const std::string& confirming, Confirmation* confirmed) {
  if (!cluster_.hasSlots()) return;
  for (const auto& master : cluster_.slots().masters()) shardAt(master);
  bool moved = false;
  for (const auto& channel : channels_) {
    const ClusterNode* master = cluster_.slots().masterOf(HashSlot::of(channel));
    const std::string want = master ? master->address() : std::string();
    auto placed = placed_.find(channel);
    const std::string have = placed == placed_.end() ? std::string() : placed->second;
    if (want == have) continue;
    if (!have.empty()) {
      moved = true;
      if (auto shard = shards_.find(have); shard != shards_.end()) shard->second->unsubscribe(channel, Kind::Shard);
      placed_.erase(placed);
    }
    if (!master) continue;
    Confirmation confirmation;
    if (confirmed && channel == confirming) std::swap(confirmation, *confirmed);
    shardAt(*master).subscribe(channel, Kind::Shard, std::move(confirmation));
    placed_[channel] = want;
  }
  if (moved) resyncPending_ = true;
  retireLater();
}

RedisSubscriber& RedisClusterSubscriber::shardAt(const ClusterNode& node) {
  auto& shard = shards_[node.address()];
  if (!shard) {
    shard = std::make_unique<RedisSubscriber>(
        io_, cluster_.settingsFor(node),
        [this](const Message& message) {
          if (onMessage_) onMessage_(message);
        },
        [this] {
          if (onResubscribed_) onResubscribed_();
        },
        [this, address = node.address()](const std::string& channel, Kind) { onDropped(address, channel); });
  }
  return *shard;
}

// Redis dropped `channel` on the master at `address` (its slot left that node): it is nowhere
// now. It is placed again by the map known (posted: this runs inside that connection's
// callback), the map is asked for, and the resync reports the gap once it is placed.
void RedisClusterSubscriber::onDropped(const std::string& address, const std::string& channel) {
  const auto placed = placed_.find(channel);
  if (placed == placed_.end() || placed->second != address) return;
  placed_.erase(placed);
  resyncPending_ = true;
  cluster_.refreshSoon();
  asio::post(io_, [this, life = std::weak_ptr<int>(life_)] {
    if (!life.expired()) place();
  });
}

// A RedisSubscriber must not be destroyed inside its own callback: retiring is posted.
void RedisClusterSubscriber::retireLater() {
  if (retireScheduled_) return;
  retireScheduled_ = true;
  asio::post(io_, [this, life = std::weak_ptr<int>(life_)] {
    if (life.expired()) return;
    retireScheduled_ = false;
    const auto& masters = cluster_.slots().masters();
    std::erase_if(shards_, [&](const auto& entry) {
      const bool master = std::any_of(masters.begin(), masters.end(), [&](const auto& m) { return m.address() == entry.first; });
      const bool retire = !master && std::none_of(placed_.begin(), placed_.end(),
                                                  [&](const auto& p) { return p.second == entry.first; });
      if (retire) retiredCounters_ += entry.second->counters();
      return retire;
    });
  });
}

bool RedisClusterSubscriber::connected() const {
  if (!cluster_.hasSlots()) return false;
  const auto& masters = cluster_.slots().masters();
  const bool everyMaster = std::all_of(masters.begin(), masters.end(), [&](const auto& m) { return shards_.contains(m.address()); });
  return everyMaster &&
         std::all_of(shards_.begin(), shards_.end(), [](const auto& entry) { return entry.second->connected(); });
}

bool RedisClusterSubscriber::settled() const {
  if (!cluster_.hasSlots() || placed_.size() != channels_.size()) return false;
  return std::all_of(shards_.begin(), shards_.end(), [](const auto& entry) { return entry.second->settled(); });
}

RedisCounters RedisClusterSubscriber::counters() const {
  RedisCounters sum = retiredCounters_;
  for (const auto& [address, shard] : shards_) sum += shard->counters();
  return sum;
}

std::string RedisClusterSubscriber::placement(const std::string& channel) const {
  const auto placed = placed_.find(channel);
  return placed == placed_.end() ? std::string() : placed->second;
}

void RedisClusterSubscriber::armPoll() {
  pollTimer_.expires_after(kPoll);
  pollTimer_.async_wait([this, life = std::weak_ptr<int>(life_)](boost::system::error_code ec) {
    if (ec || life.expired()) return;
    poll();
    armPoll();
  });
}

// A connection down may mean its master failed: ask for the map (rate-limited by the client).
// A move is reported once every connection in use has confirmed its subscriptions.
void RedisClusterSubscriber::poll() {
  const bool down = std::any_of(shards_.begin(), shards_.end(), [](const auto& e) { return !e.second->connected(); });
  if (down) cluster_.refreshSoon();
  if (!resyncPending_ || !settled()) return;
  resyncPending_ = false;
  if (onResubscribed_) onResubscribed_();
}

}  // namespace onair::engine::redis::cluster
