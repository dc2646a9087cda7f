#include "engine/redis/RedisClient.hpp"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <optional>

#include "RedisServerProcess.hpp"

using namespace onair::engine::redis;
using onair::engine::redis::testing::RedisServerProcess;
using onair::engine::redis::testing::runUntil;

namespace {

class RedisClientTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.start()) << "redis-server did not start"; }

  std::unique_ptr<RedisClient> connectedClient(RedisSettings settings) {
    auto client = std::make_unique<RedisClient>(io_, std::move(settings));
    EXPECT_TRUE(runUntil(io_, [&] { return client->connected(); }));
    return client;
  }
  std::unique_ptr<RedisClient> connectedClient() { return connectedClient(server_.settings()); }

  // Issues one command and runs the loop until its callback ran.
  RedisOutcome call(RedisClient& client, std::vector<std::string> args) {
    std::optional<RedisOutcome> outcome;
    client.command(std::move(args), [&](RedisOutcome o) { outcome = std::move(o); });
    EXPECT_TRUE(runUntil(io_, [&] { return outcome.has_value(); }));
    return outcome.value_or(RedisOutcome::failure(RedisOutcome::Error::Disconnected, "test gave up"));
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_ = boost::asio::make_work_guard(io_);
  RedisServerProcess server_;
};

}  // namespace

TEST_F(RedisClientTest, SetGetIncrWithBinaryValues) {
  auto client = connectedClient();
  const std::string value("bin\0ary\r\n\xff", 10);
  EXPECT_TRUE(call(*client, {"SET", std::string("k\0ey", 4), value}).reply.isText("OK"));
  EXPECT_EQ(call(*client, {"GET", std::string("k\0ey", 4)}).reply, RedisReply::bulk(value));
  EXPECT_TRUE(call(*client, {"GET", "missing"}).reply.isNil());
  EXPECT_EQ(call(*client, {"INCR", "n"}).reply.integer(), 1);
  EXPECT_EQ(call(*client, {"INCR", "n"}).reply.integer(), 2);
  const auto error = call(*client, {"INCR", std::string("k\0ey", 4)});
  EXPECT_EQ(error.error, RedisOutcome::Error::Server);
  EXPECT_NE(error.message.find("not an integer"), std::string::npos) << error.message;
}

TEST_F(RedisClientTest, SelectsTheDatabaseFromTheUrl) {
  auto settings = server_.settings();
  settings.url.database = 2;
  auto client = connectedClient(settings);
  EXPECT_TRUE(call(*client, {"SET", "where", "db2"}).ok());
  EXPECT_TRUE(server_.call({"GET", "where"}).isNil());
  EXPECT_EQ(call(*client, {"CLIENT", "INFO"}).reply.text().find("db=2") != std::string::npos, true);
}

TEST_F(RedisClientTest, CommandsOfOneTurnLeaveInOneWriteAndRepliesComeInOrder) {
  auto client = connectedClient();
  const auto writesBefore = client->counters().writes;
  std::vector<int64_t> seen;
  bool calledInside = false;
  bool issuing = true;
  for (int i = 0; i < 1000; ++i) {
    client->command({"INCR", "counter"}, [&](RedisOutcome outcome) {
      calledInside |= issuing;
      seen.push_back(outcome.ok() ? outcome.reply.integer() : -1);
    });
  }
  issuing = false;
  ASSERT_TRUE(runUntil(io_, [&] { return seen.size() == 1000; }));
  EXPECT_FALSE(calledInside);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(seen[static_cast<size_t>(i)], i + 1);
  EXPECT_EQ(client->counters().writes - writesBefore, 1u);
}

TEST_F(RedisClientTest, ScriptFallsBackToEvalAfterScriptFlush) {
  auto client = connectedClient();
  const RedisScript script("return {KEYS[1], ARGV[1], redis.call('INCR', KEYS[1])}");
  std::vector<RedisOutcome> outcomes;
  for (int round = 0; round < 2; ++round) {
    server_.call({"SCRIPT", "FLUSH"});
    client->script(script, {"s"}, {"arg"}, [&](RedisOutcome o) { outcomes.push_back(std::move(o)); });
    ASSERT_TRUE(runUntil(io_, [&] { return outcomes.size() == static_cast<size_t>(round + 1); }));
    // Loaded by the fallback: a plain EVALSHA now works.
    EXPECT_EQ(server_.call({"SCRIPT", "EXISTS", script.sha1()}), RedisReply::array({RedisReply::integer(1)}));
  }
  ASSERT_TRUE(outcomes[0].ok()) << outcomes[0].message;
  EXPECT_EQ(outcomes[0].reply, RedisReply::array({RedisReply::bulk("s"), RedisReply::bulk("arg"), RedisReply::integer(1)}));
  EXPECT_EQ(outcomes[1].reply.elements().at(2).integer(), 2);
  EXPECT_EQ(script.sha1(), server_.call({"SCRIPT", "LOAD", script.lua()}).text());
}

// After a Redis restart the script cache is empty. The client loads every script it has used
// before anything else on the new connection, so pipelined EVALSHAs all succeed at once, in order:
// none is answered NOSCRIPT and resent as EVAL behind a later one.
TEST_F(RedisClientTest, ScriptsAreLoadedAgainFirstThingAfterARedisRestart) {
  auto client = connectedClient();
  const RedisScript append("return redis.call('RPUSH', KEYS[1], ARGV[1])");
  std::vector<RedisOutcome> outcomes;
  client->script(append, {"log"}, {"warm-up"}, [&](RedisOutcome o) { outcomes.push_back(std::move(o)); });
  ASSERT_TRUE(runUntil(io_, [&] { return outcomes.size() == 1; }));

  ASSERT_TRUE(server_.restart());
  ASSERT_TRUE(runUntil(io_, [&] { return !client->connected(); }));  // the old connection's end
  ASSERT_TRUE(runUntil(io_, [&] { return client->connected(); }));
  constexpr int kAppends = 20;
  for (int i = 0; i < kAppends; ++i) {
    client->script(append, {"log"}, {std::to_string(i)}, [&](RedisOutcome o) { outcomes.push_back(std::move(o)); });
  }
  ASSERT_TRUE(runUntil(io_, [&] { return outcomes.size() == kAppends + 1; }));
  for (const auto& outcome : outcomes) EXPECT_TRUE(outcome.ok()) << outcome.message;

  std::vector<RedisReply> expected;
  for (int i = 0; i < kAppends; ++i) expected.push_back(RedisReply::bulk(std::to_string(i)));
  EXPECT_EQ(server_.call({"LRANGE", "log", "0", "-1"}), RedisReply::array(expected));
  // Loaded by SCRIPT LOAD at connect: no EVAL fallback ran on the new server.
  const std::string stats = server_.call({"INFO", "commandstats"}).text();
  EXPECT_EQ(stats.find("cmdstat_eval:"), std::string::npos) << stats;
  EXPECT_NE(stats.find("cmdstat_evalsha:calls=" + std::to_string(kAppends) + ","), std::string::npos) << stats;
}

TEST_F(RedisClientTest, ScriptErrorsOtherThanNoscriptReachTheCaller) {
  auto client = connectedClient();
  const RedisScript script("return redis.error_reply('MYERR nope')");
  std::optional<RedisOutcome> outcome;
  client->script(script, {}, {}, [&](RedisOutcome o) { outcome = std::move(o); });
  ASSERT_TRUE(runUntil(io_, [&] { return outcome.has_value(); }));
  EXPECT_EQ(outcome->error, RedisOutcome::Error::Server);
  EXPECT_NE(outcome->message.find("MYERR nope"), std::string::npos) << outcome->message;
}

TEST_F(RedisClientTest, ATimeoutAnswersAndTheClientRecovers) {
  auto settings = server_.settings();
  settings.commandTimeout = std::chrono::milliseconds(200);
  auto client = connectedClient(settings);
  EXPECT_TRUE(server_.call({"CLIENT", "PAUSE", "700", "ALL"}).isText("OK"));
  std::optional<RedisOutcome> stalled;
  client->command({"GET", "x"}, [&](RedisOutcome o) { stalled = std::move(o); });
  ASSERT_TRUE(runUntil(io_, [&] { return stalled.has_value(); }));
  EXPECT_EQ(stalled->error, RedisOutcome::Error::Timeout);
  EXPECT_EQ(client->counters().timeouts, 1u);
  // After the pause the client, reconnected by itself, serves again.
  bool served = false;
  runUntil(io_, [&] {
    if (client->connected()) served = call(*client, {"SET", "x", "1"}).ok();
    return served;
  });
  EXPECT_TRUE(served);
}

TEST_F(RedisClientTest, FailsFastWhileRedisIsDownAndReconnectsByItself) {
  auto client = connectedClient();
  EXPECT_TRUE(call(*client, {"SET", "k", "v"}).ok());
  server_.stop();
  ASSERT_TRUE(runUntil(io_, [&] { return !client->connected(); }));
  const auto down = call(*client, {"GET", "k"});
  EXPECT_EQ(down.error, RedisOutcome::Error::Disconnected);
  ASSERT_TRUE(server_.start());
  ASSERT_TRUE(runUntil(io_, [&] { return client->connected(); }));
  EXPECT_TRUE(call(*client, {"SET", "k", "again"}).ok());
  EXPECT_GE(client->counters().reconnects, 1u);
}

TEST_F(RedisClientTest, CommandsInFlightWhenTheConnectionDiesAreAnsweredDisconnected) {
  auto client = connectedClient();
  std::optional<RedisOutcome> outcome;
  // BLPOP blocks server-side; the server goes away before it answers.
  client->command({"BLPOP", "never", "0"}, [&](RedisOutcome o) { outcome = std::move(o); });
  runUntil(io_, [] { return false; }, std::chrono::milliseconds(50));
  server_.stop();
  ASSERT_TRUE(runUntil(io_, [&] { return outcome.has_value(); }));
  EXPECT_EQ(outcome->error, RedisOutcome::Error::Disconnected);
}

TEST_F(RedisClientTest, HandshakeErrorsKeepTheClientDisconnected) {
  auto settings = server_.settings();
  settings.url.password = "wrong";
  RedisClient client(io_, settings);
  runUntil(io_, [] { return false; }, std::chrono::milliseconds(200));
  EXPECT_FALSE(client.connected());
  std::optional<RedisOutcome> outcome;
  client.command({"PING"}, [&](RedisOutcome o) { outcome = std::move(o); });
  ASSERT_TRUE(runUntil(io_, [&] { return outcome.has_value(); }));
  EXPECT_EQ(outcome->error, RedisOutcome::Error::Disconnected);
}

TEST_F(RedisClientTest, DestroyingTheClientDropsItsCallbacks) {
  auto client = connectedClient();
  bool called = false;
  client->command({"BLPOP", "never", "0"}, [&](RedisOutcome) { called = true; });
  client.reset();
  runUntil(io_, [] { return false; }, std::chrono::milliseconds(50));
  EXPECT_FALSE(called);
}

TEST_F(RedisClientTest, AnEmptyCommandFailsWithoutReachingRedis) {
  auto client = connectedClient();
  const auto outcome = call(*client, {});
  EXPECT_EQ(outcome.error, RedisOutcome::Error::Server);
  EXPECT_TRUE(call(*client, {"PING"}).reply.isText("PONG"));
}

// A peer that answers with bytes that are not RESP: the command gets Protocol and the client
// drops the connection (and reconnects to the same misbehaving peer, which it may).
TEST(RedisClientProtocol, GarbageFromThePeerIsAProtocolError) {
  namespace asio = boost::asio;
  using tcp = asio::ip::tcp;
  asio::io_context io;
  auto guard = asio::make_work_guard(io);
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  std::vector<std::shared_ptr<tcp::socket>> peers;
  std::array<char, 256> scratch{};
  std::function<void()> acceptNext = [&] {
    acceptor.async_accept([&](boost::system::error_code ec, tcp::socket socket) {
      if (ec) return;
      auto peer = std::make_shared<tcp::socket>(std::move(socket));
      peers.push_back(peer);
      peer->async_read_some(asio::buffer(scratch), [peer](boost::system::error_code ec, size_t) {
        if (!ec) asio::write(*peer, asio::buffer(std::string("?garbage\r\n")), ec);
      });
      acceptNext();
    });
  };
  acceptNext();
  RedisSettings settings;
  settings.url.host = "127.0.0.1";
  settings.url.port = acceptor.local_endpoint().port();
  RedisClient client(io, settings);
  ASSERT_TRUE(runUntil(io, [&] { return client.connected(); }));
  std::optional<RedisOutcome> outcome;
  client.command({"PING"}, [&](RedisOutcome o) { outcome = std::move(o); });
  ASSERT_TRUE(runUntil(io, [&] { return outcome.has_value(); }));
  EXPECT_EQ(outcome->error, RedisOutcome::Error::Protocol);
  EXPECT_NE(outcome->message.find("Protocol error"), std::string::npos) << outcome->message;
  EXPECT_EQ(client.counters().errors, 1u);
}
