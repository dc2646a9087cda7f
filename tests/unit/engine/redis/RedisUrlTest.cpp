#include "engine/redis/RedisUrl.hpp"

#include <gtest/gtest.h>

using namespace onair::engine::redis;

namespace {

RedisUrl parsed(std::string_view text) {
  auto result = RedisUrl::parse(text);
  if (auto* error = std::get_if<std::string>(&result)) ADD_FAILURE() << text << ": " << *error;
  return std::holds_alternative<RedisUrl>(result) ? std::get<RedisUrl>(result) : RedisUrl{};
}

std::string refused(std::string_view text) {
  auto result = RedisUrl::parse(text);
  if (std::holds_alternative<RedisUrl>(result)) {
    ADD_FAILURE() << text << " was accepted";
    return {};
  }
  return std::get<std::string>(result);
}

}  // namespace

TEST(RedisUrl, ParsesHostPortAndDatabase) {
  const auto url = parsed("redis://cache.local:6380/3");
  EXPECT_EQ(url.host, "cache.local");
  EXPECT_EQ(url.port, 6380);
  EXPECT_EQ(url.database, 3);
  EXPECT_FALSE(url.cluster);
  EXPECT_TRUE(url.password.empty());
}

TEST(RedisUrl, DefaultsPortAndDatabase) {
  const auto url = parsed("redis://127.0.0.1");
  EXPECT_EQ(url.port, 6379);
  EXPECT_EQ(url.database, 0);
  EXPECT_EQ(parsed("redis://h/").database, 0);
}

TEST(RedisUrl, ReadsPercentDecodedCredentials) {
  const auto url = parsed("redis://app:p%40ss%3Aword@h:1");
  EXPECT_EQ(url.user, "app");
  EXPECT_EQ(url.password, "p@ss:word");
  const auto passwordOnly = parsed("redis://:secret@h");
  EXPECT_EQ(passwordOnly.user, "");
  EXPECT_EQ(passwordOnly.password, "secret");
  EXPECT_EQ(url.toString().find("p@ss"), std::string::npos);
  EXPECT_EQ(url.toString(), "redis://app:***@h:1/0");
}

TEST(RedisUrl, ParsesIpv6AndCluster) {
  const auto url = parsed("redis+cluster://[::1]:7000");
  EXPECT_EQ(url.host, "::1");
  EXPECT_EQ(url.port, 7000);
  EXPECT_TRUE(url.cluster);
  EXPECT_EQ(url.toString(), "redis+cluster://[::1]:7000/0");
}

TEST(RedisUrl, RefusesWhatItCannotServeWithAReason) {
  EXPECT_NE(refused("rediss://h").find("TLS"), std::string::npos);
  EXPECT_NE(refused("unix:///run/redis.sock").find("unix sockets"), std::string::npos);
  EXPECT_NE(refused("http://h").find("unknown scheme"), std::string::npos);
  EXPECT_NE(refused("redis+cluster://h/2").find("database 0"), std::string::npos);
  EXPECT_NE(refused("redis://h:0").find("bad port"), std::string::npos);
  EXPECT_NE(refused("redis://h:65536").find("bad port"), std::string::npos);
  EXPECT_NE(refused("redis://h:").find("bad port"), std::string::npos);
  EXPECT_NE(refused("redis://h/x").find("bad database"), std::string::npos);
  EXPECT_NE(refused("redis://h/1/2").find("bad database"), std::string::npos);
  EXPECT_NE(refused("redis://h/-1").find("bad database"), std::string::npos);
  EXPECT_NE(refused("redis://h?db=1").find("query"), std::string::npos);
  EXPECT_NE(refused("redis://user@h").find("password"), std::string::npos);
  EXPECT_NE(refused("redis:///0").find("missing host"), std::string::npos);
  EXPECT_NE(refused("redis:h").find("missing host"), std::string::npos);
  EXPECT_NE(refused("").find("empty"), std::string::npos);
  EXPECT_NE(refused("not a url").find("malformed"), std::string::npos);
  EXPECT_NE(refused("redis://" + std::string(3000, 'a')).find("longer than"), std::string::npos);
}
