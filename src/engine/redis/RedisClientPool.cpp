#include "engine/redis/RedisClientPool.hpp"

#include <algorithm>

#include "engine/redis/cluster/HashSlot.hpp"

namespace onair::engine::redis {

RedisClientPool::RedisClientPool(boost::asio::io_context& io, const RedisSettings& settings, size_t size) {
  size = std::clamp<size_t>(size, 1, kMaxSize);
  for (size_t i = 0; i < size; ++i) clients_.push_back(std::make_unique<RedisClient>(io, settings));
}

RedisClient& RedisClientPool::clientFor(std::string_view key) {
  if (clients_.size() == 1) return *clients_.front();
  return *clients_[cluster::HashSlot::of(key) % clients_.size()];
}

void RedisClientPool::command(std::vector<std::string> args, Callback callback) {
  // The key is the first argument after the command's name (GET key, XRANGE key …); commands
  // without one (PING, TIME) go to the first connection.
  std::string_view key = args.size() > 1 ? std::string_view(args[1]) : std::string_view();
  auto& client = args.size() > 1 ? clientFor(key) : *clients_.front();
  client.command(std::move(args), std::move(callback));
}

void RedisClientPool::script(const RedisScript& script, const std::vector<std::string>& keys, const std::vector<std::string>& args,
                             Callback callback) {
  auto& client = keys.empty() ? *clients_.front() : clientFor(keys.front());
  client.script(script, keys, args, std::move(callback));
}

bool RedisClientPool::connected() const {
  return std::all_of(clients_.begin(), clients_.end(), [](const auto& c) { return c->connected(); });
}

RedisCounters RedisClientPool::counters() const {
  RedisCounters sum;
  for (const auto& c : clients_) sum += c->counters();
  return sum;
}

// A PING answered on a connection means everything sent there before it was answered (see
// RedisEngine::drain for why twice); `done` runs when every connection got there.
void RedisClientPool::whenAnswered(std::function<void()> done) {
  auto left = std::make_shared<size_t>(clients_.size());
  auto finished = std::make_shared<std::function<void()>>(std::move(done));
  for (auto& client : clients_) {
    RedisClient* c = client.get();
    c->command({"PING"}, [c, left, finished](RedisOutcome) {
      c->command({"PING"}, [left, finished](RedisOutcome) {
        if (--*left == 0) (*finished)();
      });
    });
  }
}

}  // namespace onair::engine::redis
