#pragma once
// Test helper for the Redis engine's implementations: one redis-server per test, engines (nodes)
// on it sharing a key prefix, and a bounded synchronous wait for a completion.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "RedisServerProcess.hpp"
#include "engine/redis/RedisEngine.hpp"

namespace onair::engine::redis::testing {

class RedisEngineFixture : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.start()) << "redis-server did not start"; }

  // A node on this test's server and prefix; waits (bounded) until it is connected.
  std::unique_ptr<RedisEngine> node(int64_t presenceTtlMs = 30000) {
    RedisEngineSettings settings;
    settings.connection = server_.settings();
    settings.prefix = "t";
    settings.presenceTtlMs = presenceTtlMs;
    auto engine = std::make_unique<RedisEngine>(settings);
    for (int i = 0; i < 500 && !engine->ready(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_TRUE(engine->ready());
    return engine;
  }

  // Starts an operation with `start(callback)` and waits (5 s at most) for its outcome.
  template <class T, class Start>
  static Outcome<T> await(Start&& start) {
    auto promise = std::make_shared<std::promise<Outcome<T>>>();
    auto future = promise->get_future();
    start([promise](Outcome<T> outcome) { promise->set_value(std::move(outcome)); });
    if (future.wait_for(std::chrono::seconds(5)) != std::future_status::ready) throw std::runtime_error("no completion within 5 s");
    return future.get();
  }

  // The value of an outcome; an EngineError throws (failing the test) with its message.
  template <class T>
  static T valueOf(Outcome<T> outcome) {
    if (auto* error = std::get_if<EngineError>(&outcome)) throw std::runtime_error("engine error: " + error->message);
    return std::get<T>(std::move(outcome));
  }

  RedisServerProcess server_;
};

}  // namespace onair::engine::redis::testing
