// A master dies (SIGKILL), its replica takes over after the node timeout (1 s): the client's
// commands fail fast meanwhile (never hang), succeed again on the promoted replica, and the
// subscriber resumes there with a resync. This test kills nodes, so it makes its own cluster.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/steady_timer.hpp>

#include "../RedisServerProcess.hpp"
#include "RedisClusterProcess.hpp"
#include "engine/redis/cluster/HashSlot.hpp"
#include "engine/redis/cluster/RedisClusterClient.hpp"
#include "engine/redis/cluster/RedisClusterSubscriber.hpp"

using namespace onair::engine::redis;
using namespace onair::engine::redis::cluster;
using onair::engine::redis::testing::RedisClusterProcess;
using onair::engine::redis::testing::runUntil;

TEST(RedisClusterFailover, CommandsAndSubscriptionsMoveToThePromotedReplica) {
  RedisClusterProcess cluster;
  ASSERT_TRUE(cluster.start()) << "the Redis Cluster did not start";
  boost::asio::io_context io;
  auto guard = boost::asio::make_work_guard(io);
  RedisClusterClient client(io, cluster.settings());
  std::vector<RedisSubscriber::Message> messages;
  int resubscribed = 0;
  RedisClusterSubscriber subscriber(
      io, client, [&](const RedisSubscriber::Message& m) { messages.push_back(m); }, [&] { ++resubscribed; });
  ASSERT_TRUE(runUntil(io, [&] { return client.connected(); }));

  const uint16_t victim = cluster.masters().front();
  std::string key = "failover";
  for (int n = 0; cluster.masterOf(HashSlot::of(key)) != victim; ++n) key = "failover-" + std::to_string(n);
  subscriber.subscribe(key);
  ASSERT_TRUE(runUntil(io, [&] { return subscriber.settled(); }));
  int issued = 0;
  int answered = 0;
  std::optional<RedisOutcome> last;
  auto set = [&](const std::string& value) {
    ++issued;
    client.command({"SET", key, value}, [&](RedisOutcome outcome) {
      ++answered;
      last = std::move(outcome);
    });
  };
  set("before");
  ASSERT_TRUE(runUntil(io, [&] { return answered == 1 && last->ok(); }));

  cluster.kill(victim);
  // One command every 100 ms until one succeeds on the promoted replica; each is answered.
  bool succeeded = false;
  int failures = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (!succeeded && std::chrono::steady_clock::now() < deadline) {
    const int before = answered;
    set("after");
    ASSERT_TRUE(runUntil(io, [&] { return answered == before + 1; }, std::chrono::seconds(3))) << "a command hung";
    succeeded = last->ok();
    if (!succeeded) {
      ++failures;
      EXPECT_TRUE(last->error == RedisOutcome::Error::Disconnected || last->error == RedisOutcome::Error::Timeout ||
                  last->message.starts_with("CLUSTERDOWN"))
          << last->message;
      runUntil(io, [] { return false; }, std::chrono::milliseconds(100));
    }
  }
  ASSERT_TRUE(succeeded) << "no command succeeded after the failover";
  EXPECT_GE(failures, 1);
  EXPECT_EQ(issued, answered);
  const uint16_t promoted = cluster.masterOf(HashSlot::of(key));
  ASSERT_NE(promoted, victim);
  EXPECT_EQ(cluster.call(promoted, {"GET", key}).text(), "after");

  // The subscription follows to the promoted replica, with a resync.
  const std::string target = "127.0.0.1:" + std::to_string(promoted);
  ASSERT_TRUE(runUntil(io, [&] { return subscriber.placement(key) == target && subscriber.settled() && resubscribed >= 1; },
                       std::chrono::seconds(10)));
  std::optional<RedisOutcome> published;
  client.command({"SPUBLISH", key, "resumed"}, [&](RedisOutcome outcome) { published = std::move(outcome); });
  ASSERT_TRUE(runUntil(io, [&] { return published.has_value(); }));
  EXPECT_TRUE(published->ok()) << published->message;
  EXPECT_TRUE(runUntil(io, [&] {
    return std::any_of(messages.begin(), messages.end(), [](const auto& m) { return m.payload == "resumed"; });
  }));
  EXPECT_TRUE(client.connected());
}

// A slot no master serves for a while (taken from every node, then given back): the channel has
// no place meanwhile, and once it is placed again the resync reports the gap. This test breaks
// the cluster's coverage, so it makes its own cluster.
TEST(RedisClusterFailover, AChannelWithoutAMasterForAWhileIsPlacedAgainWithAResync) {
  RedisClusterProcess cluster;
  ASSERT_TRUE(cluster.start()) << "the Redis Cluster did not start";
  boost::asio::io_context io;
  auto guard = boost::asio::make_work_guard(io);
  RedisClusterClient client(io, cluster.settings());
  std::vector<RedisSubscriber::Message> messages;
  int resubscribed = 0;
  RedisClusterSubscriber subscriber(
      io, client, [&](const RedisSubscriber::Message& m) { messages.push_back(m); }, [&] { ++resubscribed; });
  ASSERT_TRUE(runUntil(io, [&] { return client.connected(); }));
  const uint16_t home = cluster.masters().front();
  const std::string channel = cluster.nameOn(home, "orphan");
  const std::string slot = std::to_string(HashSlot::of(channel));
  subscriber.subscribe(channel);
  ASSERT_TRUE(runUntil(io, [&] { return subscriber.settled(); }));

  for (const uint16_t port : cluster.ports()) cluster.call(port, {"CLUSTER", "DELSLOTS", slot});
  ASSERT_TRUE(runUntil(io, [&] { return subscriber.placement(channel).empty(); }, std::chrono::seconds(10)));
  const int before = resubscribed;
  cluster.call(home, {"CLUSTER", "ADDSLOTS", slot});
  const std::string target = "127.0.0.1:" + std::to_string(home);
  ASSERT_TRUE(runUntil(io, [&] { return subscriber.placement(channel) == target && subscriber.settled() && resubscribed > before; },
                       std::chrono::seconds(10)));
  std::optional<RedisOutcome> published;
  client.command({"SPUBLISH", channel, "placed again"}, [&](RedisOutcome outcome) { published = std::move(outcome); });
  ASSERT_TRUE(runUntil(io, [&] { return published.has_value(); }));
  EXPECT_TRUE(published->ok()) << published->message;
  EXPECT_TRUE(runUntil(io, [&] {
    return std::any_of(messages.begin(), messages.end(), [](const auto& m) { return m.payload == "placed again"; });
  }));
}
