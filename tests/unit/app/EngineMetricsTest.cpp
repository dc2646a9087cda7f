#include "app/EngineMetrics.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "engine/EmbeddedEngine.hpp"
#include "engine/redis/RedisEngine.hpp"

namespace onair::app {
namespace {

TEST(EngineMetrics, EmbeddedEngineReportsReadinessOnly) {
  std::string dir = (std::filesystem::temp_directory_path() / "onair-metrics-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  {
    engine::EmbeddedEngine engine(dir);
    auto text = engineMetricsText(engine, nullptr);
    EXPECT_NE(text.find("# TYPE onair_engine_ready gauge\nonair_engine_ready{engine=\"embedded\"} 1\n"), std::string::npos);
    EXPECT_EQ(text.find("onair_redis"), std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

TEST(EngineMetrics, RedisEngineReportsItsConnectionsEvenWhenRedisIsUnreachable) {
  engine::redis::RedisEngineSettings settings;
  settings.connection.url.host = "127.0.0.1";
  settings.connection.url.port = 1;  // nothing listens there
  engine::redis::RedisEngine engine(settings);
  auto text = engineMetricsText(engine, &engine);
  EXPECT_NE(text.find("onair_engine_ready{engine=\"redis\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("onair_redis_up 0\n"), std::string::npos);
  for (const char* name : {"onair_redis_commands_total", "onair_redis_errors_total", "onair_redis_timeouts_total",
                           "onair_redis_reconnects_total", "onair_redis_writes_total"}) {
    EXPECT_NE(text.find(std::string("# TYPE ") + name + " counter\n"), std::string::npos) << name;
    EXPECT_NE(text.find(std::string(name) + "{connection=\"commands\"} "), std::string::npos) << name;
    EXPECT_NE(text.find(std::string(name) + "{connection=\"pubsub\"} "), std::string::npos) << name;
  }
  engine.stop();
}

}  // namespace
}  // namespace onair::app
