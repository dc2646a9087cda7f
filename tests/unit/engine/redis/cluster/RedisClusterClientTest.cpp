#include "engine/redis/cluster/RedisClusterClient.hpp"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>

#include "../RedisServerProcess.hpp"
#include "RedisClusterProcess.hpp"
#include "engine/redis/cluster/HashSlot.hpp"

using namespace onair::engine::redis;
using namespace onair::engine::redis::cluster;
using onair::engine::redis::testing::RedisClusterProcess;
using onair::engine::redis::testing::runUntil;

namespace {

using Error = RedisOutcome::Error;

class RedisClusterClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = RedisClusterProcess::shared();
    ASSERT_NE(cluster_, nullptr) << "the Redis Cluster did not start";
  }

  std::unique_ptr<RedisClusterClient> client(RedisClusterClient::Options options = {}) {
    auto made = std::make_unique<RedisClusterClient>(io_, cluster_->settings(), options);
    EXPECT_TRUE(runUntil(io_, [&] { return made->connected(); })) << "no slot map or no connection";
    return made;
  }

  RedisOutcome run(RedisCommands& commands, std::vector<std::string> args) {
    std::optional<RedisOutcome> out;
    commands.command(std::move(args), [&](RedisOutcome outcome) { out = std::move(outcome); });
    EXPECT_TRUE(runUntil(io_, [&] { return out.has_value(); }));
    return out.value_or(RedisOutcome::failure(Error::Timeout, "no answer in the test"));
  }

  RedisOutcome runScript(RedisCommands& commands, const RedisScript& script, const std::vector<std::string>& keys,
                         const std::vector<std::string>& args) {
    std::optional<RedisOutcome> out;
    commands.script(script, keys, args, [&](RedisOutcome outcome) { out = std::move(outcome); });
    EXPECT_TRUE(runUntil(io_, [&] { return out.has_value(); }));
    return out.value_or(RedisOutcome::failure(Error::Timeout, "no answer in the test"));
  }

  std::string keyOn(uint16_t port, const std::string& prefix) { return cluster_->nameOn(port, prefix); }

  uint16_t otherMaster(uint16_t port) {
    for (const uint16_t master : cluster_->masters()) {
      if (master != port) return master;
    }
    return 0;
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_ = boost::asio::make_work_guard(io_);
  RedisClusterProcess* cluster_ = nullptr;
};

const RedisScript kAddToBoth(
    "return redis.call('INCRBY', KEYS[1], ARGV[1]) + redis.call('INCRBY', KEYS[2], ARGV[1])");

}  // namespace

TEST_F(RedisClusterClientTest, HashSlotsAgreeWithClusterKeyslot) {
  const uint16_t port = cluster_->ports().front();
  for (const std::string key : {"foo", "bar", "", "123456789", "{user1000}.following", "{user1000}.followers",
                                "foo{}{bar}", "foo{{bar}}zap", "foo{bar}{zap}", "onair:h:{room-1}:meta"}) {
    EXPECT_EQ(cluster_->call(port, {"CLUSTER", "KEYSLOT", key}).integer(), HashSlot::of(key)) << key;
  }
}

TEST_F(RedisClusterClientTest, RoutesEachKeyToTheMasterServingIt) {
  auto c = client();
  const auto masters = cluster_->masters();
  ASSERT_EQ(masters.size(), 3u);
  for (const uint16_t port : masters) {
    const std::string key = keyOn(port, "route");
    ASSERT_TRUE(run(*c, {"SET", key, "on " + std::to_string(port)}).ok());
    // The master itself holds it: the client went there first, without a redirection.
    EXPECT_EQ(cluster_->call(port, {"GET", key}).text(), "on " + std::to_string(port));
    EXPECT_EQ(run(*c, {"GET", key}).reply.text(), "on " + std::to_string(port));
  }
  EXPECT_EQ(c->counters().moved, 0u);
  EXPECT_EQ(c->counters().asked, 0u);
  EXPECT_TRUE(run(*c, {"PING"}).reply.isText("PONG"));
  EXPECT_EQ(run(*c, {"TIME"}).reply.elements().size(), 2u);
}

TEST_F(RedisClusterClientTest, RunsScriptsWhereTheirKeysLiveAndRefusesCrossSlotKeys) {
  auto c = client();
  for (const uint16_t port : cluster_->masters()) {
    const std::string tag = "{" + keyOn(port, "script") + "}";
    ASSERT_TRUE(run(*c, {"DEL", tag + "a", tag + "b"}).ok());  // the cluster is shared by repeated runs
    const auto outcome = runScript(*c, kAddToBoth, {tag + "a", tag + "b"}, {"5"});
    ASSERT_TRUE(outcome.ok()) << outcome.message;
    EXPECT_EQ(outcome.reply.integer(), 10);
    EXPECT_EQ(cluster_->call(port, {"GET", tag + "b"}).text(), "5");
  }
  bool calledInside = true;
  std::optional<RedisOutcome> refused;
  c->script(kAddToBoth, {"{x}a", "{y}b"}, {"1"}, [&](RedisOutcome outcome) { refused = std::move(outcome); });
  calledInside = refused.has_value();
  ASSERT_TRUE(runUntil(io_, [&] { return refused.has_value(); }));
  EXPECT_FALSE(calledInside);
  EXPECT_EQ(refused->error, Error::Server);
  EXPECT_TRUE(refused->message.starts_with("CROSSSLOT")) << refused->message;
}

TEST_F(RedisClusterClientTest, FollowsMovedAfterItsSlotMoved) {
  RedisClusterClient::Options options;
  options.refreshInterval = std::chrono::seconds(60);  // only MOVED can tell the client
  auto c = client(options);
  const uint16_t from = cluster_->masters().front();
  const std::string key = keyOn(from, "moved");
  ASSERT_TRUE(run(*c, {"SET", key, "v1"}).ok());
  const uint16_t to = otherMaster(from);
  ASSERT_TRUE(cluster_->migrateSlot(HashSlot::of(key), to));
  const auto outcome = run(*c, {"GET", key});
  ASSERT_TRUE(outcome.ok()) << outcome.message;
  EXPECT_EQ(outcome.reply.text(), "v1");
  EXPECT_GE(c->counters().moved, 1u);
  // Learnt: the next command goes straight to the new owner.
  const auto moved = c->counters().moved;
  EXPECT_TRUE(run(*c, {"SET", key, "v2"}).ok());
  EXPECT_EQ(c->counters().moved, moved);
  EXPECT_EQ(cluster_->call(to, {"GET", key}).text(), "v2");
}

TEST_F(RedisClusterClientTest, FollowsAskWhileItsSlotMigrates) {
  RedisClusterClient::Options options;
  options.refreshInterval = std::chrono::seconds(60);
  auto c = client(options);
  const uint16_t from = cluster_->masters().front();
  const std::string tag = "{" + keyOn(from, "ask") + "}";
  const uint16_t slot = HashSlot::of(tag);
  ASSERT_TRUE(run(*c, {"SET", tag + "gone", "moved over"}).ok());
  ASSERT_TRUE(run(*c, {"SET", tag + "here", "still here"}).ok());
  const uint16_t to = otherMaster(from);
  ASSERT_TRUE(cluster_->beginMigration(slot, to));
  ASSERT_TRUE(cluster_->migrateKey(slot, tag + "gone", to));

  const auto gone = run(*c, {"GET", tag + "gone"});
  ASSERT_TRUE(gone.ok()) << gone.message;
  EXPECT_EQ(gone.reply.text(), "moved over");
  EXPECT_GE(c->counters().asked, 1u);
  EXPECT_EQ(run(*c, {"GET", tag + "here"}).reply.text(), "still here");
  // A script after ASK goes as EVAL (the target may not know it).
  const RedisScript get("return redis.call('GET', KEYS[1])");
  const auto scripted = runScript(*c, get, {tag + "gone"}, {});
  ASSERT_TRUE(scripted.ok()) << scripted.message;
  EXPECT_EQ(scripted.reply.text(), "moved over");

  ASSERT_TRUE(cluster_->migrateKey(slot, tag + "here", to));
  ASSERT_TRUE(cluster_->finishMigration(slot, to));
  EXPECT_EQ(run(*c, {"GET", tag + "here"}).reply.text(), "still here");
}

TEST_F(RedisClusterClientTest, WhenIdleRunsOnceEveryCommandHasItsAnswer) {
  auto c = client();
  std::vector<std::string> events;
  for (const uint16_t port : cluster_->masters()) {
    c->command({"GET", keyOn(port, "idle")}, [&](RedisOutcome) { events.push_back("answer"); });
  }
  c->script(kAddToBoth, {"{x}a", "{y}b"}, {"1"}, [&](RedisOutcome) { events.push_back("answer"); });
  c->whenIdle([&] { events.push_back("idle"); });
  EXPECT_TRUE(events.empty());
  ASSERT_TRUE(runUntil(io_, [&] { return events.size() == 5; }));
  EXPECT_EQ(events.back(), "idle");
  bool idleAgain = false;
  c->whenIdle([&] { idleAgain = true; });
  EXPECT_FALSE(idleAgain);
  EXPECT_TRUE(runUntil(io_, [&] { return idleAgain; }));
}

TEST(RedisClusterClientRouting, FailsFastWithoutASlotMap) {
  boost::asio::io_context io;
  auto guard = boost::asio::make_work_guard(io);
  RedisSettings settings;
  settings.url.host = "127.0.0.1";
  settings.url.port = 1;  // nothing listens there
  settings.url.cluster = true;
  RedisClusterClient c(io, settings);
  std::optional<RedisOutcome> out;
  c.command({"GET", "k"}, [&](RedisOutcome outcome) { out = std::move(outcome); });
  EXPECT_FALSE(out.has_value());
  ASSERT_TRUE(runUntil(io, [&] { return out.has_value(); }));
  EXPECT_EQ(out->error, Error::Disconnected);
  EXPECT_FALSE(c.connected());
  std::optional<RedisOutcome> empty;
  c.command({}, [&](RedisOutcome outcome) { empty = std::move(outcome); });
  ASSERT_TRUE(runUntil(io, [&] { return empty.has_value(); }));
  EXPECT_EQ(empty->error, Error::Server);
}

TEST(RedisClusterClientRouting, PicksTheKeyOfEachCommand) {
  using C = RedisClusterClient;
  EXPECT_EQ(C::keyOf({"GET", "k"}), "k");
  EXPECT_EQ(C::keyOf({"set", "k", "v"}), "k");
  EXPECT_EQ(C::keyOf({"SPUBLISH", "ch", "m"}), "ch");
  EXPECT_EQ(C::keyOf({"EVALSHA", "abc", "2", "k1", "k2", "a"}), "k1");
  EXPECT_EQ(C::keyOf({"EVAL", "return 1", "0", "a"}), std::nullopt);
  EXPECT_EQ(C::keyOf({"XREAD", "COUNT", "5", "streams", "s1", "0"}), "s1");
  EXPECT_EQ(C::keyOf({"XINFO", "STREAM", "s1"}), "s1");
  EXPECT_EQ(C::keyOf({"PING"}), std::nullopt);
  EXPECT_EQ(C::keyOf({"ping", "hello"}), std::nullopt);
  EXPECT_EQ(C::keyOf({"PUBLISH", "ch", "m"}), std::nullopt);
  EXPECT_EQ(C::keyOf({"CLUSTER", "SLOTS"}), std::nullopt);
}
