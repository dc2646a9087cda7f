// RedisBroker against a real redis-server of its own (the conformance suite covers the contract;
// these cover what needs Redis to misbehave: outages, foreign payloads, restarts).
#include "engine/redis/RedisBroker.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include "RedisServerProcess.hpp"
#include "engine/redis/BrokerEnvelope.hpp"
#include "engine/redis/RedisEngine.hpp"

using namespace onair::engine;
using namespace onair::engine::redis;
using onair::engine::redis::testing::RedisServerProcess;

namespace {

constexpr auto kWait = std::chrono::seconds(5);

bool eventually(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (!done() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return done();
}

class RedisBrokerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.start()) << "redis-server did not start";
    RedisEngineSettings settings;
    settings.connection = server_.settings();
    settings.prefix = "broker-test";
    engine_ = std::make_unique<RedisEngine>(settings);
    ASSERT_TRUE(eventually([&] { return engine_->ready(); }));
  }
  void TearDown() override {
    if (engine_) engine_->stop();
  }

  // Subscribes and waits for the outcome (bounded).
  Outcome<Done> subscribe(const std::string& topic) {
    auto promise = std::make_shared<std::promise<Outcome<Done>>>();
    auto future = promise->get_future();
    engine_->broker().subscribe(topic, [promise](Outcome<Done> outcome) { promise->set_value(std::move(outcome)); });
    if (future.wait_for(kWait) != std::future_status::ready) throw std::runtime_error("subscribe never completed");
    return future.get();
  }

  RedisBroker& broker() { return static_cast<RedisBroker&>(engine_->broker()); }

  RedisServerProcess server_;
  std::unique_ptr<RedisEngine> engine_;
};

}  // namespace

TEST_F(RedisBrokerTest, SubscribeWhileRedisIsDownAnswersAnEngineError) {
  server_.stop();
  ASSERT_TRUE(eventually([&] { return !engine_->ready(); }));
  auto outcome = subscribe("room");
  ASSERT_TRUE(std::holds_alternative<EngineError>(outcome));
  EXPECT_GT(std::get<EngineError>(outcome).retryAfterMs, 0);
  // Once Redis is back, subscribing works again.
  ASSERT_TRUE(server_.start());
  ASSERT_TRUE(eventually([&] { return engine_->ready(); }));
  EXPECT_TRUE(std::holds_alternative<Done>(subscribe("room")));
}

TEST_F(RedisBrokerTest, MalformedPayloadsAreCountedAndDropped) {
  std::atomic<int> frames{0};
  std::string last;
  std::mutex mutex;
  broker().setHandler([&](const std::string&, const Broker::Payload& payload) {
    std::lock_guard lock(mutex);
    last = *payload;
    ++frames;
  });
  ASSERT_TRUE(std::holds_alternative<Done>(subscribe("room")));
  const std::string channel = RedisKeys("broker-test").key("b", "room");
  server_.call({"PUBLISH", channel, "not an envelope"});
  server_.call({"PUBLISH", channel, "S1:0"});
  server_.call({"PUBLISH", channel, BrokerEnvelope::encodeFrame("fine")});
  ASSERT_TRUE(eventually([&] { return frames.load() == 1; }));
  {
    std::lock_guard lock(mutex);
    EXPECT_EQ(last, "fine");
  }
  const auto counters = broker().counters();
  EXPECT_EQ(counters.malformed, 2u);
  EXPECT_EQ(counters.received, 1u);
}

TEST_F(RedisBrokerTest, PublishesAreCountedAndFailuresToo) {
  ASSERT_TRUE(std::holds_alternative<Done>(subscribe("room")));
  broker().publish("room", std::make_shared<const std::string>("x"));
  ASSERT_TRUE(eventually([&] { return broker().counters().received == 1; }));
  EXPECT_EQ(broker().counters().published, 1u);
  server_.stop();
  ASSERT_TRUE(eventually([&] { return !engine_->ready(); }));
  broker().publish("room", std::make_shared<const std::string>("y"));
  ASSERT_TRUE(eventually([&] { return broker().counters().publishFailures == 1; }));
}

TEST_F(RedisBrokerTest, ResyncHandlerRunsOnceResubscribedAfterARestart) {
  std::atomic<int> resyncs{0};
  std::atomic<int> frames{0};
  broker().setHandler([&](const std::string&, const Broker::Payload&) { ++frames; });
  broker().addResyncHandler([&] { ++resyncs; });
  ASSERT_TRUE(std::holds_alternative<Done>(subscribe("room")));
  ASSERT_TRUE(server_.restart());
  ASSERT_TRUE(eventually([&] { return resyncs.load() == 1; }));
  // Subscribed again: deliveries flow.
  server_.call({"PUBLISH", RedisKeys("broker-test").key("b", "room"), BrokerEnvelope::encodeFrame("after")});
  ASSERT_TRUE(eventually([&] { return frames.load() == 1; }));
}
