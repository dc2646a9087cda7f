#include "engine/redis/RedisClientPool.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <set>

using namespace onair::engine::redis;

namespace {

// A pool whose connections never get anywhere (the loop is not run): routing only.
RedisSettings nowhere() {
  RedisSettings settings;
  settings.url.host = "127.0.0.1";
  settings.url.port = 1;
  return settings;
}

}  // namespace

TEST(RedisClientPool, KeysOfOneHashTagShareAConnection) {
  boost::asio::io_context io;
  RedisClientPool pool(io, nowhere(), 4);
  ASSERT_EQ(pool.size(), 4u);
  EXPECT_EQ(&pool.clientFor("p:h:{room-1}"), &pool.clientFor("p:h:{room-1}:meta"));
  EXPECT_EQ(&pool.clientFor("p:i:{room-1}:k1"), &pool.clientFor("p:b:{room-1}"));
  // Different tags spread over the connections.
  std::set<const RedisClient*> used;
  for (int i = 0; i < 64; ++i) used.insert(&pool.clientFor("p:h:{room-" + std::to_string(i) + "}"));
  EXPECT_EQ(used.size(), 4u);
}

TEST(RedisClientPool, SizeIsClampedAndOneIsASingleConnection) {
  boost::asio::io_context io;
  EXPECT_EQ(RedisClientPool(io, nowhere(), 0).size(), 1u);
  EXPECT_EQ(RedisClientPool(io, nowhere(), 100).size(), RedisClientPool::kMaxSize);
  RedisClientPool one(io, nowhere(), 1);
  EXPECT_EQ(&one.clientFor("a"), &one.clientFor("b"));
  EXPECT_FALSE(one.connected());
}
