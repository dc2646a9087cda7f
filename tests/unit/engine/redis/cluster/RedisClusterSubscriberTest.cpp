#include "engine/redis/cluster/RedisClusterSubscriber.hpp"

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

class RedisClusterSubscriberTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = RedisClusterProcess::shared();
    ASSERT_NE(cluster_, nullptr) << "the Redis Cluster did not start";
    client_ = std::make_unique<RedisClusterClient>(io_, cluster_->settings());
    ASSERT_TRUE(runUntil(io_, [&] { return client_->connected(); }));
    subscriber_ = std::make_unique<RedisClusterSubscriber>(
        io_, *client_, [this](const RedisSubscriber::Message& m) { messages_.push_back(m); },
        [this] { ++resubscribed_; });
  }

  void TearDown() override {
    subscriber_.reset();
    client_.reset();
  }

  std::string channelOn(uint16_t port, const std::string& prefix) { return cluster_->nameOn(port, prefix); }

  bool publish(const std::string& channel, const std::string& payload) {
    std::optional<RedisOutcome> out;
    client_->command({"SPUBLISH", channel, payload}, [&](RedisOutcome outcome) { out = std::move(outcome); });
    return runUntil(io_, [&] { return out.has_value(); }) && out->ok();
  }

  bool received(const std::string& channel, const std::string& payload) {
    return runUntil(io_, [&] {
      return std::any_of(messages_.begin(), messages_.end(),
                         [&](const auto& m) { return m.channel == channel && m.payload == payload; });
    });
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_ = boost::asio::make_work_guard(io_);
  RedisClusterProcess* cluster_ = nullptr;
  std::unique_ptr<RedisClusterClient> client_;
  std::unique_ptr<RedisClusterSubscriber> subscriber_;
  std::vector<RedisSubscriber::Message> messages_;
  int resubscribed_ = 0;
};

}  // namespace

TEST_F(RedisClusterSubscriberTest, ReceivesShardMessagesFromEveryMaster) {
  std::vector<std::pair<std::string, uint16_t>> channels;
  for (const uint16_t port : cluster_->masters()) channels.emplace_back(channelOn(port, "news"), port);
  ASSERT_EQ(channels.size(), 3u);
  for (const auto& [channel, port] : channels) subscriber_->subscribe(channel);
  ASSERT_TRUE(runUntil(io_, [&] { return subscriber_->settled(); }));
  for (const auto& [channel, port] : channels) {
    EXPECT_EQ(subscriber_->placement(channel), "127.0.0.1:" + std::to_string(port));
    ASSERT_TRUE(publish(channel, "hello " + channel));
  }
  for (const auto& [channel, port] : channels) EXPECT_TRUE(received(channel, "hello " + channel)) << channel;
  ASSERT_EQ(messages_.size(), 3u);
  EXPECT_EQ(messages_[0].kind, RedisSubscriber::Kind::Shard);
  EXPECT_TRUE(subscriber_->connected());
  EXPECT_EQ(resubscribed_, 0);
}

TEST_F(RedisClusterSubscriberTest, UnsubscribeStopsDelivery) {
  const uint16_t port = cluster_->masters().front();
  const std::string gone = channelOn(port, "gone");
  const std::string kept = channelOn(port, "kept");
  subscriber_->subscribe(gone);
  subscriber_->subscribe(kept);
  ASSERT_TRUE(runUntil(io_, [&] { return subscriber_->settled(); }));
  subscriber_->unsubscribe(gone);
  EXPECT_EQ(subscriber_->placement(gone), "");
  ASSERT_TRUE(runUntil(io_, [&] {
    return cluster_->call(port, {"PUBSUB", "SHARDNUMSUB", gone}).elements().at(1).integer() == 0;
  }));
  ASSERT_TRUE(publish(gone, "lost"));
  ASSERT_TRUE(publish(kept, "kept"));
  ASSERT_TRUE(received(kept, "kept"));
  ASSERT_EQ(messages_.size(), 1u);
}

TEST_F(RedisClusterSubscriberTest, FollowsItsChannelToTheSlotsNewMasterAndReportsAResync) {
  const uint16_t from = cluster_->masters().front();
  const std::string channel = channelOn(from, "moving");
  subscriber_->subscribe(channel);
  ASSERT_TRUE(runUntil(io_, [&] { return subscriber_->settled(); }));
  ASSERT_TRUE(publish(channel, "before"));
  ASSERT_TRUE(received(channel, "before"));

  uint16_t to = 0;
  for (const uint16_t master : cluster_->masters()) {
    if (master != from) to = master;
  }
  ASSERT_TRUE(cluster_->migrateSlot(HashSlot::of(channel), to));
  const std::string target = "127.0.0.1:" + std::to_string(to);
  ASSERT_TRUE(runUntil(io_, [&] {
    return subscriber_->placement(channel) == target && subscriber_->settled() && resubscribed_ >= 1;
  }));
  ASSERT_TRUE(publish(channel, "after"));
  EXPECT_TRUE(received(channel, "after"));
}

TEST_F(RedisClusterSubscriberTest, ConfirmsASubscriptionOnceItsMasterDidAndRefusesOtherKinds) {
  ASSERT_TRUE(runUntil(io_, [&] { return subscriber_->connected(); }));  // a connection to every master
  const std::string channel = channelOn(cluster_->masters().back(), "confirmed");
  std::vector<RedisOutcome> confirmations;
  auto record = [&](const RedisOutcome& outcome) { confirmations.push_back(outcome); };
  subscriber_->subscribe(channel, RedisSubscriber::Kind::Shard, record);
  subscriber_->subscribe(channel, RedisSubscriber::Kind::Shard, record);  // again: confirmed again
  subscriber_->subscribe("plain", RedisSubscriber::Kind::Channel, record);
  EXPECT_TRUE(confirmations.empty()) << "never inside subscribe()";
  ASSERT_TRUE(runUntil(io_, [&] { return confirmations.size() == 3; }));
  const auto refused = std::count_if(confirmations.begin(), confirmations.end(), [](const auto& o) {
    return o.error == RedisOutcome::Error::Server && o.message.find("only shard channels") != std::string::npos;
  });
  EXPECT_EQ(refused, 1);
  EXPECT_EQ(std::count_if(confirmations.begin(), confirmations.end(), [](const auto& o) { return o.ok(); }), 2);
  EXPECT_EQ(cluster_->call(cluster_->masters().back(), {"PUBSUB", "SHARDNUMSUB", channel}).elements().at(1).integer(), 1);
  ASSERT_TRUE(publish(channel, "hello"));
  EXPECT_TRUE(received(channel, "hello"));
}

// The channel's slot leaves its master and comes back before the map is read again: the master
// dropped the channel meanwhile (an `sunsubscribe` push), so it is subscribed there again, and
// the time it had no place is reported with a resync (messages may have been missed).
TEST_F(RedisClusterSubscriberTest, AChannelRedisDroppedIsPlacedAgainWithAResync) {
  RedisClusterClient::Options options;
  options.refreshInterval = std::chrono::hours(1);  // only the drop may tell
  RedisClusterClient client(io_, cluster_->settings(), options);
  ASSERT_TRUE(runUntil(io_, [&] { return client.connected(); }));
  int resyncs = 0;
  RedisClusterSubscriber subscriber(
      io_, client, [this](const RedisSubscriber::Message& m) { messages_.push_back(m); }, [&] { ++resyncs; });
  const uint16_t home = cluster_->masters().front();
  const std::string channel = channelOn(home, "dropped");
  subscriber.subscribe(channel);
  ASSERT_TRUE(runUntil(io_, [&] { return subscriber.settled(); }));

  const uint16_t away = cluster_->masters().back();
  ASSERT_TRUE(cluster_->migrateSlot(HashSlot::of(channel), away));
  ASSERT_TRUE(cluster_->migrateSlot(HashSlot::of(channel), home));
  const std::string target = "127.0.0.1:" + std::to_string(home);
  ASSERT_TRUE(runUntil(io_, [&] { return resyncs >= 1 && subscriber.settled() && subscriber.placement(channel) == target; }));
  EXPECT_EQ(cluster_->call(home, {"PUBSUB", "SHARDNUMSUB", channel}).elements().at(1).integer(), 1);
  ASSERT_TRUE(publish(channel, "back"));
  EXPECT_TRUE(received(channel, "back"));
}

// After a reshard, the old master answers an SUNSUBSCRIBE with -MOVED, and may push its own
// `sunsubscribe` first: neither takes the place of the next subscription's confirmation.
TEST_F(RedisClusterSubscriberTest, AnUnsubscribeAnsweredWithMovedAnswersItselfOnly) {
  const uint16_t home = cluster_->masters().front();
  auto settings = cluster_->settings();
  settings.url.port = home;
  settings.url.cluster = false;
  int resyncs = 0;
  RedisSubscriber shard(io_, settings, [](const RedisSubscriber::Message&) {}, [&] { ++resyncs; });
  const std::string moving = channelOn(home, "resharded");
  const std::string staying = channelOn(home, "staying");
  ASSERT_NE(HashSlot::of(moving), HashSlot::of(staying));
  shard.subscribe(moving, RedisSubscriber::Kind::Shard);
  ASSERT_TRUE(runUntil(io_, [&] { return shard.settled(); }));

  ASSERT_TRUE(cluster_->migrateSlot(HashSlot::of(moving), cluster_->masters().back()));
  std::vector<RedisOutcome> confirmations;
  // Sent before the push is read: Redis answers the push, then -MOVED, then the confirmation.
  shard.unsubscribe(moving, RedisSubscriber::Kind::Shard);
  shard.subscribe(staying, RedisSubscriber::Kind::Shard, [&](const RedisOutcome& o) { confirmations.push_back(o); });
  ASSERT_TRUE(runUntil(io_, [&] { return !confirmations.empty(); }));
  EXPECT_TRUE(confirmations[0].ok()) << confirmations[0].message;
  ASSERT_TRUE(runUntil(io_, [&] { return shard.settled(); }));
  EXPECT_EQ(shard.keepaliveDrops(), 0u);
  EXPECT_EQ(cluster_->call(home, {"PUBSUB", "SHARDNUMSUB", staying}).elements().at(1).integer(), 1);
  ASSERT_TRUE(cluster_->migrateSlot(HashSlot::of(moving), home));
}
