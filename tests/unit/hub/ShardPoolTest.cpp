#include "hub/ShardPool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <set>
#include <thread>

using namespace onair;

namespace {

// Records which thread each frame arrived on; used from several loops.
struct ThreadSink : net::FrameSink {
  std::atomic<int> count{0};
  std::thread::id lastThread;
  using FrameSink::send;
  void send(net::OutFrame&) override {
    lastThread = std::this_thread::get_id();
    ++count;
  }
};

// Runs fn on `shard` and waits for it.
void runOn(hub::ShardPool& pool, size_t shard, std::function<void()> fn) {
  std::promise<void> done;
  pool.post(shard, [&] {
    fn();
    done.set_value();
  });
  done.get_future().wait();
}

// Waits until every loop has drained what was posted before.
void settle(hub::ShardPool& pool) {
  for (int round = 0; round < 3; ++round) {
    for (size_t i = 0; i < pool.size(); ++i) runOn(pool, i, [] {});
  }
}

}  // namespace

TEST(ShardPool, OwnerOfIsStableAndSpreadsNames) {
  hub::ShardPool pool(4, net::WsSettings{});
  std::set<size_t> owners;
  for (int i = 0; i < 200; ++i) {
    auto name = "room_" + std::to_string(i);
    size_t o = pool.ownerOf(name);
    EXPECT_LT(o, 4u);
    EXPECT_EQ(o, pool.ownerOf(name));
    owners.insert(o);
  }
  EXPECT_EQ(owners.size(), 4u);
  hub::ShardPool other(4, net::WsSettings{});
  EXPECT_EQ(pool.ownerOf("project_123"), other.ownerOf("project_123"));  // same across instances
}

TEST(ShardPool, AnObjectsTopicsLiveWhereItsNameDoes) {
  hub::ShardPool pool(4, net::WsSettings{});
  for (int i = 0; i < 50; ++i) {
    const std::string name = "content:b" + std::to_string(i);  // a colon of its own, after 3 characters
    EXPECT_EQ(pool.ownerOf("lp:" + name), pool.ownerOfName(name));
    EXPECT_EQ(pool.ownerOf("lr:" + name), pool.ownerOfName(name));
    const std::string shortKind = "tv:b" + std::to_string(i);  // a short prefix of the name's own
    EXPECT_EQ(pool.ownerOf("lp:" + shortKind), pool.ownerOfName(shortKind));
  }
}

TEST(ShardPool, PublishFansOutOnceToEachInterestedShard) {
  hub::ShardPool pool(3, net::WsSettings{});
  pool.start();
  const std::string topic = "room:fanout";
  ThreadSink sinks[3][2];
  std::thread::id loopThread[3];
  for (size_t s = 0; s < 3; ++s) {
    runOn(pool, s, [&, s] {
      loopThread[s] = std::this_thread::get_id();
      for (auto& sink : sinks[s]) pool.subscribe(s, topic, &sink);
    });
  }
  settle(pool);
  size_t owner = pool.ownerOf(topic);
  size_t shardsSent = 0;
  runOn(pool, owner, [&] { shardsSent = pool.publish(topic, net::makeSharedFrame("hello")); });
  settle(pool);
  EXPECT_EQ(shardsSent, 3u);
  for (size_t s = 0; s < 3; ++s) {
    for (auto& sink : sinks[s]) {
      EXPECT_EQ(sink.count.load(), 1) << "shard " << s;
      EXPECT_EQ(sink.lastThread, loopThread[s]) << "delivered on the subscriber's own loop";
    }
  }
  // After the last subscriber of a shard leaves, that shard is no longer sent anything.
  runOn(pool, 1, [&] {
    for (auto& sink : sinks[1]) pool.unsubscribe(1, topic, &sink);
  });
  settle(pool);
  runOn(pool, owner, [&] { shardsSent = pool.publish(topic, net::makeSharedFrame("again")); });
  settle(pool);
  EXPECT_EQ(shardsSent, 2u);
  EXPECT_EQ(sinks[1][0].count.load(), 1);
  EXPECT_EQ(sinks[0][0].count.load(), 2);
  EXPECT_EQ(sinks[2][1].count.load(), 2);
  pool.stop();
  pool.join();
}

TEST(ShardPool, SubscribeDoneRunsOnSubscriberShardAfterOwnerKnows) {
  hub::ShardPool pool(2, net::WsSettings{});
  pool.start();
  // Find a topic owned by shard 0, subscribe from shard 1.
  std::string topic;
  for (int i = 0; topic.empty(); ++i) {
    std::string candidate(1, 't');
    candidate += std::to_string(i);
    if (pool.ownerOf(candidate) == 0) topic = candidate;
  }
  ThreadSink sink;
  std::promise<std::thread::id> doneOn;
  std::thread::id shard1;
  runOn(pool, 1, [&] {
    shard1 = std::this_thread::get_id();
    pool.subscribe(1, topic, &sink, [&] { doneOn.set_value(std::this_thread::get_id()); });
  });
  EXPECT_EQ(doneOn.get_future().get(), shard1);
  runOn(pool, 0, [&] { pool.publish(topic, net::makeSharedFrame("x")); });
  settle(pool);
  EXPECT_EQ(sink.count.load(), 1);
  pool.stop();
  pool.join();
}
