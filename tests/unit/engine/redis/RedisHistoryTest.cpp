// RedisHistory against a real redis-server of its own (the conformance suite covers the contract;
// these cover outages and how the keys are laid out).
#include "engine/redis/RedisHistory.hpp"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "RedisServerProcess.hpp"
#include "engine/redis/RedisEngine.hpp"

using namespace onair::engine;
using namespace onair::engine::redis;
using onair::engine::redis::testing::RedisServerProcess;

namespace {

constexpr auto kWait = std::chrono::seconds(5);

class RedisHistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.start()) << "redis-server did not start";
    RedisEngineSettings settings;
    settings.connection = server_.settings();
    settings.prefix = "history-test";
    engine_ = std::make_unique<RedisEngine>(settings);
    ASSERT_TRUE(waitReady(true));
  }
  void TearDown() override {
    if (engine_) engine_->stop();
  }

  bool waitReady(bool ready) {
    const auto deadline = std::chrono::steady_clock::now() + kWait;
    while (engine_->ready() != ready && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return engine_->ready() == ready;
  }

  Outcome<AppendResult> append(const std::string& stream, std::optional<std::string> key = std::nullopt) {
    AppendRequest request;
    request.stream = stream;
    request.type = "chat";
    request.dataJson = "{}";
    request.publisher = "p:1";
    request.idempotencyKey = std::move(key);
    auto promise = std::make_shared<std::promise<Outcome<AppendResult>>>();
    auto future = promise->get_future();
    engine_->history().append(std::move(request), [promise](Outcome<AppendResult> r) { promise->set_value(std::move(r)); });
    if (future.wait_for(kWait) != std::future_status::ready) throw std::runtime_error("append never completed");
    return future.get();
  }

  Outcome<ReadResult> read(const std::string& stream) {
    auto promise = std::make_shared<std::promise<Outcome<ReadResult>>>();
    auto future = promise->get_future();
    engine_->history().read(ReadRequest{stream, 0, true, 10},
                            [promise](Outcome<ReadResult> r) { promise->set_value(std::move(r)); });
    if (future.wait_for(kWait) != std::future_status::ready) throw std::runtime_error("read never completed");
    return future.get();
  }

  RedisServerProcess server_;
  std::unique_ptr<RedisEngine> engine_;
};

}  // namespace

TEST_F(RedisHistoryTest, AppendAndReadAnswerAnEngineErrorWhileRedisIsDown) {
  ASSERT_TRUE(std::holds_alternative<AppendResult>(append("s")));
  server_.stop();
  ASSERT_TRUE(waitReady(false));
  auto appended = append("s");
  ASSERT_TRUE(std::holds_alternative<EngineError>(appended));
  EXPECT_GT(std::get<EngineError>(appended).retryAfterMs, 0);
  EXPECT_TRUE(std::holds_alternative<EngineError>(read("s")));
}

TEST_F(RedisHistoryTest, AllKeysOfAStreamShareItsHashTagAndRemoveDeletesThemAll) {
  ASSERT_TRUE(std::holds_alternative<AppendResult>(append("room:1", "k1")));
  ASSERT_TRUE(std::holds_alternative<AppendResult>(append("room:1", "k2")));
  ASSERT_TRUE(std::holds_alternative<AppendResult>(append("other")));
  auto keys = server_.call({"KEYS", "history-test:*"});
  ASSERT_TRUE(keys.isArray());
  size_t ofRoom = 0;
  for (const auto& key : keys.elements()) {
    if (key.text().find("{room:1}") != std::string::npos) ++ofRoom;
    else EXPECT_NE(key.text().find("{other}"), std::string::npos) << key.text();
  }
  EXPECT_EQ(ofRoom, 4u) << "meta, log, idempotency hash and its expiry index";

  auto promise = std::make_shared<std::promise<Outcome<Done>>>();
  auto future = promise->get_future();
  engine_->history().remove("room:1", [promise](Outcome<Done> r) { promise->set_value(std::move(r)); });
  ASSERT_EQ(future.wait_for(kWait), std::future_status::ready);
  ASSERT_TRUE(std::holds_alternative<Done>(future.get()));
  for (const auto& key : server_.call({"KEYS", "history-test:*"}).elements())
    EXPECT_EQ(key.text().find("{room:1}"), std::string::npos) << "left behind: " << key.text();
}

// A read of a name nobody appended to must not leave a key in Redis for good: a client allowed to
// read any name could otherwise grow Redis with made-up ones.
TEST_F(RedisHistoryTest, AReadOfAnUnknownStreamLeavesNoKeyWithoutAnExpiry) {
  auto keysWithoutExpiry = [&] {
    size_t count = 0;
    for (const auto& key : server_.call({"KEYS", "history-test:*"}).elements())
      if (server_.call({"PTTL", key.text()}).integer() == -1) ++count;
    return count;
  };
  ASSERT_TRUE(std::holds_alternative<AppendResult>(append("used")));
  const size_t before = keysWithoutExpiry();
  for (int i = 0; i < 5; ++i) {
    auto read = this->read("made-up-" + std::to_string(i));
    ASSERT_TRUE(std::holds_alternative<ReadResult>(read));
    EXPECT_EQ(std::get<ReadResult>(read).head.offset, 0u);
  }
  EXPECT_EQ(keysWithoutExpiry(), before);
  const std::string meta = "history-test:h:{made-up-0}:m";
  EXPECT_GT(server_.call({"PTTL", meta}).integer(), 0) << "the epoch a read gave lasts a while";

  // The first append keeps the epoch the read gave and makes it durable.
  const auto epoch = std::get<ReadResult>(read("made-up-0")).head.epoch;
  auto appended = append("made-up-0");
  ASSERT_TRUE(std::holds_alternative<AppendResult>(appended));
  EXPECT_EQ(std::get<AppendResult>(appended).epoch, epoch);
  EXPECT_EQ(server_.call({"PTTL", meta}).integer(), -1);
  ASSERT_TRUE(std::holds_alternative<ReadResult>(read("made-up-0")));
  EXPECT_EQ(server_.call({"PTTL", meta}).integer(), -1) << "a read of a stream with messages keeps it durable";
}
