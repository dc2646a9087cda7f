#include "engine/redis/RedisSubscriber.hpp"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>

#include "RedisServerProcess.hpp"
#include "util/Random.hpp"

using namespace onair::engine::redis;
using onair::engine::redis::testing::RedisServerProcess;
using onair::engine::redis::testing::runUntil;

namespace {

class RedisSubscriberTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.start()) << "redis-server did not start"; }

  std::unique_ptr<RedisSubscriber> subscriber() { return subscriber(server_.settings()); }
  std::unique_ptr<RedisSubscriber> subscriber(RedisSettings settings) {
    return std::make_unique<RedisSubscriber>(
        io_, std::move(settings), [this](const RedisSubscriber::Message& m) { messages_.push_back(m); },
        [this] { ++resubscribed_; });
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_ = boost::asio::make_work_guard(io_);
  RedisServerProcess server_;
  std::vector<RedisSubscriber::Message> messages_;
  int resubscribed_ = 0;
};

}  // namespace

TEST_F(RedisSubscriberTest, DeliversChannelPatternAndShardMessages) {
  auto sub = subscriber();
  sub->subscribe("news");
  sub->subscribe("n*", RedisSubscriber::Kind::Pattern);
  sub->subscribe("shard", RedisSubscriber::Kind::Shard);
  ASSERT_TRUE(runUntil(io_, [&] { return sub->settled(); }));
  EXPECT_EQ(server_.call({"PUBLISH", "news", std::string("a\0b", 3)}).integer(), 2);
  EXPECT_EQ(server_.call({"SPUBLISH", "shard", "s1"}).integer(), 1);
  ASSERT_TRUE(runUntil(io_, [&] { return messages_.size() == 3; }));
  EXPECT_EQ(messages_[0].kind, RedisSubscriber::Kind::Channel);
  EXPECT_EQ(messages_[0].channel, "news");
  EXPECT_EQ(messages_[0].payload, std::string("a\0b", 3));
  EXPECT_EQ(messages_[1].kind, RedisSubscriber::Kind::Pattern);
  EXPECT_EQ(messages_[1].pattern, "n*");
  EXPECT_EQ(messages_[1].channel, "news");
  EXPECT_EQ(messages_[2].kind, RedisSubscriber::Kind::Shard);
  EXPECT_EQ(messages_[2].payload, "s1");
  EXPECT_EQ(resubscribed_, 0);
}

TEST_F(RedisSubscriberTest, UnsubscribeStopsDelivery) {
  auto sub = subscriber();
  sub->subscribe("a");
  sub->subscribe("b");
  ASSERT_TRUE(runUntil(io_, [&] { return sub->settled(); }));
  sub->unsubscribe("a");
  ASSERT_TRUE(runUntil(io_, [&] { return server_.call({"PUBSUB", "NUMSUB", "a"}).elements().at(1).integer() == 0; }));
  server_.call({"PUBLISH", "a", "lost"});
  server_.call({"PUBLISH", "b", "kept"});
  ASSERT_TRUE(runUntil(io_, [&] { return !messages_.empty(); }));
  EXPECT_EQ(messages_[0].payload, "kept");
}

TEST_F(RedisSubscriberTest, ResubscribesAfterARestartAndReportsIt) {
  auto sub = subscriber();
  sub->subscribe("news");
  sub->subscribe("x*", RedisSubscriber::Kind::Pattern);
  ASSERT_TRUE(runUntil(io_, [&] { return sub->settled(); }));
  ASSERT_TRUE(server_.restart());
  ASSERT_TRUE(runUntil(io_, [&] { return resubscribed_ == 1; }));
  EXPECT_TRUE(sub->settled());
  server_.call({"PUBLISH", "news", "after"});
  server_.call({"PUBLISH", "xy", "pattern after"});
  ASSERT_TRUE(runUntil(io_, [&] { return messages_.size() == 2; }));
  EXPECT_EQ(messages_[0].payload, "after");
  EXPECT_EQ(messages_[1].payload, "pattern after");
  EXPECT_EQ(sub->counters().reconnects, 1u);
}

TEST_F(RedisSubscriberTest, ConfirmsASubscriptionOnceRedisDid) {
  auto sub = subscriber();
  ASSERT_TRUE(runUntil(io_, [&] { return sub->connected(); }));
  std::vector<RedisOutcome> confirmations;
  sub->subscribe("news", RedisSubscriber::Kind::Channel, [&](const RedisOutcome& o) { confirmations.push_back(o); });
  EXPECT_TRUE(confirmations.empty()) << "never inside subscribe()";
  ASSERT_TRUE(runUntil(io_, [&] { return !confirmations.empty(); }));
  EXPECT_TRUE(confirmations[0].ok()) << confirmations[0].message;
  EXPECT_EQ(server_.call({"PUBSUB", "NUMSUB", "news"}).elements().at(1).integer(), 1);
  // Subscribing again to a subscribed channel is confirmed too.
  sub->subscribe("news", RedisSubscriber::Kind::Channel, [&](const RedisOutcome& o) { confirmations.push_back(o); });
  ASSERT_TRUE(runUntil(io_, [&] { return confirmations.size() == 2; }));
  EXPECT_TRUE(confirmations[1].ok());
}

TEST_F(RedisSubscriberTest, SubscribeWhileDownFailsAtOnceAndIsSentOnTheNextConnect) {
  auto sub = subscriber();
  ASSERT_TRUE(runUntil(io_, [&] { return sub->connected(); }));
  server_.stop();
  ASSERT_TRUE(runUntil(io_, [&] { return !sub->connected(); }));
  std::vector<RedisOutcome> confirmations;
  sub->subscribe("news", RedisSubscriber::Kind::Channel, [&](const RedisOutcome& o) { confirmations.push_back(o); });
  ASSERT_TRUE(runUntil(io_, [&] { return !confirmations.empty(); }));
  EXPECT_EQ(confirmations[0].error, RedisOutcome::Error::Disconnected);
  ASSERT_TRUE(server_.start());
  ASSERT_TRUE(runUntil(io_, [&] { return resubscribed_ == 1; }));
  EXPECT_EQ(server_.call({"PUBSUB", "NUMSUB", "news"}).elements().at(1).integer(), 1);
  EXPECT_EQ(confirmations.size(), 1u);
}

TEST_F(RedisSubscriberTest, KeepaliveDropsAStalledConnectionWhichThenResubscribes) {
  auto settings = server_.settings();
  settings.keepaliveInterval = std::chrono::milliseconds(100);
  settings.commandTimeout = std::chrono::milliseconds(300);
  auto sub = subscriber(settings);
  sub->subscribe("news");
  ASSERT_TRUE(runUntil(io_, [&] { return sub->settled(); }));
  // Let a few PINGs be answered: a live server is never dropped.
  runUntil(io_, [] { return false; }, std::chrono::milliseconds(500));
  EXPECT_EQ(sub->keepaliveDrops(), 0u);
  EXPECT_EQ(sub->counters().reconnects, 0u);

  // The socket stays open but nothing is answered: only the keepalive can tell.
  server_.call({"CLIENT", "PAUSE", "1500", "ALL"});
  ASSERT_TRUE(runUntil(io_, [&] { return sub->keepaliveDrops() >= 1; }));
  ASSERT_TRUE(runUntil(io_, [&] { return resubscribed_ >= 1 && sub->settled(); }));
  EXPECT_GE(sub->counters().reconnects, 1u);
  server_.call({"PUBLISH", "news", "after"});
  ASSERT_TRUE(runUntil(io_, [&] { return !messages_.empty(); }));
  EXPECT_EQ(messages_[0].payload, "after");
}

// Redis answers every command in order, an error (here -NOPERM; -MOVED after a reshard) included:
// a refused unsubscribe must not take the place of the next subscription's confirmation.
TEST_F(RedisSubscriberTest, ARefusedUnsubscribeAnswersItselfNotTheNextSubscription) {
  auto sub = subscriber();
  sub->subscribe("a", RedisSubscriber::Kind::Shard);
  ASSERT_TRUE(runUntil(io_, [&] { return sub->settled(); }));
  server_.call({"ACL", "SETUSER", "default", "-sunsubscribe"});
  std::vector<RedisOutcome> confirmations;
  sub->unsubscribe("a", RedisSubscriber::Kind::Shard);
  sub->subscribe("b", RedisSubscriber::Kind::Shard, [&](const RedisOutcome& o) { confirmations.push_back(o); });
  ASSERT_TRUE(runUntil(io_, [&] { return !confirmations.empty(); }));
  EXPECT_TRUE(confirmations[0].ok()) << confirmations[0].message;
  ASSERT_TRUE(runUntil(io_, [&] { return sub->settled(); }));
  // Unsubscribe answers (a pushed one too) leave the next confirmation and pong in their places.
  server_.call({"ACL", "SETUSER", "default", "+sunsubscribe"});
  sub->unsubscribe("b", RedisSubscriber::Kind::Shard);
  sub->subscribe("c", RedisSubscriber::Kind::Shard, [&](const RedisOutcome& o) { confirmations.push_back(o); });
  ASSERT_TRUE(runUntil(io_, [&] { return confirmations.size() == 2 && sub->settled(); }));
  EXPECT_TRUE(confirmations[1].ok()) << confirmations[1].message;
  EXPECT_EQ(sub->keepaliveDrops(), 0u);
  EXPECT_EQ(server_.call({"SPUBLISH", "c", "hello"}).integer(), 1);
  ASSERT_TRUE(runUntil(io_, [&] { return !messages_.empty(); }));
  EXPECT_EQ(messages_[0].payload, "hello");
}

TEST_F(RedisSubscriberTest, ASubscriptionRefusedOnReconnectIsSentAgainAndReportedWhenTaken) {
  const std::string password = onair::util::randomId("pw", 12);
  server_.call({"ACL", "SETUSER", "node", "on", ">" + password, "~*", "&*", "+@all"});
  auto settings = server_.settings();
  settings.url.user = "node";
  settings.url.password = password;
  auto sub = subscriber(settings);
  sub->subscribe("news");
  ASSERT_TRUE(runUntil(io_, [&] { return sub->settled(); }));

  // The user loses its channels and its connection: it reconnects, and Redis refuses SUBSCRIBE.
  // The resync is reported for what was taken (here nothing else), the refusal is kept.
  server_.call({"ACL", "SETUSER", "node", "resetchannels"});
  server_.call({"CLIENT", "KILL", "USER", "node"});
  ASSERT_TRUE(runUntil(io_, [&] { return resubscribed_ == 1; }));
  EXPECT_EQ(sub->refusedSubscriptions(), 1u);

  // Allowed again: the refused subscription goes again by itself and is reported once taken.
  server_.call({"ACL", "SETUSER", "node", "allchannels"});
  ASSERT_TRUE(runUntil(io_, [&] { return resubscribed_ == 2; })) << "the refused subscription was not sent again";
  EXPECT_EQ(sub->refusedSubscriptions(), 0u);
  EXPECT_EQ(sub->counters().reconnects, 1u) << "on the same connection";
  server_.call({"PUBLISH", "news", "heard"});
  ASSERT_TRUE(runUntil(io_, [&] { return messages_.size() == 1; }));
  EXPECT_EQ(messages_[0].payload, "heard");
}
