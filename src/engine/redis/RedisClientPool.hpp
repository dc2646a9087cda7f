#pragma once
// Several pipelined command connections to one Redis (config redis.pool_size), behind the one
// RedisCommands interface the engine's implementations use.
//
// Why more than one: Redis answers a connection's commands in order, so one slow command (a long
// history read) holds up everything pipelined behind it. Commands are spread by key: every key
// with one hash tag (`{…}`, see RedisKeys) goes to one connection, so the commands about one
// stream, room or record keep their order, as they would on a single connection; commands about
// different keys may complete in another order than they were sent. With size 1 it is exactly
// one RedisClient.
//
// Contract: as RedisCommands. connected() is true when every connection is up (a node that can
// reach only some of Redis's connections is not ready). Loop thread only.
#include <memory>
#include <string_view>
#include <vector>

#include "engine/redis/RedisClient.hpp"
#include "engine/redis/RedisCommands.hpp"
#include "engine/redis/RedisCounters.hpp"

namespace onair::engine::redis {

class RedisClientPool final : public RedisCommands {
 public:
  static constexpr size_t kMaxSize = 16;

  // `size` connections (1..kMaxSize), each with `settings`.
  RedisClientPool(boost::asio::io_context& io, const RedisSettings& settings, size_t size);

  void command(std::vector<std::string> args, Callback callback) override;
  void script(const RedisScript& script, const std::vector<std::string>& keys, const std::vector<std::string>& args,
              Callback callback) override;
  bool connected() const override;

  size_t size() const { return clients_.size(); }
  // The connection serving `key` (by its hash tag).
  RedisClient& clientFor(std::string_view key);
  // Summed over the connections.
  RedisCounters counters() const;
  // Runs `done` once every command sent so far on every connection has had its answer.
  void whenAnswered(std::function<void()> done);

 private:
  std::vector<std::unique_ptr<RedisClient>> clients_;
};

}  // namespace onair::engine::redis
