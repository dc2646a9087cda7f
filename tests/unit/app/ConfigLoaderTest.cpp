#include "app/ConfigLoader.hpp"

#include <gtest/gtest.h>

#include <map>

using namespace onair::app;

namespace {
ConfigLoader::EnvLookup envOf(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}
}  // namespace

TEST(ConfigLoader, DefaultsApplyWhenNothingIsSet) {
  Config c;
  ConfigLoader::applyEnv(c, envOf({}));
  EXPECT_EQ(c.httpPort, 7880);
  EXPECT_EQ(c.httpHost, "127.0.0.1");
  EXPECT_EQ(c.dataDir, "./data");
  EXPECT_TRUE(c.keys.empty());
}

TEST(ConfigLoader, FlagBeatsEnvBeatsFileBeatsDefault) {
  Config c;
  ConfigLoader::applyTomlText(c, "threads = 3\n[http]\nport = 9000\nmax_body_bytes = 4096\n[log]\nlevel = \"debug\"\n");
  ConfigLoader::applyEnv(c, envOf({{"ONAIR_HTTP_PORT", "9100"}, {"ONAIR_LOG_LEVEL", "warn"}}));
  ConfigLoader::applyValues(c, {{"http.port", "9200"}}, "flag");
  EXPECT_EQ(c.httpPort, 9200);           // flag
  EXPECT_EQ(c.logLevel, "warn");         // env over file
  EXPECT_EQ(c.httpMaxBodyBytes, 4096);   // file over default
  EXPECT_EQ(c.threads, 3);
  EXPECT_EQ(c.wsPingIntervalMs, 20000);  // default
}

TEST(ConfigLoader, ReadsKeysFromFileAndEnvTakesPrecedence) {
  Config c;
  ConfigLoader::applyTomlText(c, "[[keys]]\nkey = \"filekey\"\nsecret = \"0123456789abcdef0123\"\n");
  ASSERT_EQ(c.keys.size(), 1u);
  EXPECT_EQ(c.keysSource, "config");
  ConfigLoader::applyEnv(c, envOf({{"ONAIR_API_KEY", "envkey"}, {"ONAIR_API_SECRET", "abcdefghijklmnopqrstu"}}));
  ASSERT_EQ(c.keys.size(), 2u);
  EXPECT_EQ(c.keys.front().key, "envkey");  // signs new tokens
  EXPECT_EQ(c.keysSource, "env");
}

TEST(ConfigLoader, ClearErrorsForBadValues) {
  Config c;
  auto message = [&](auto fn) {
    try {
      fn();
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(message([&] { ConfigLoader::applyTomlText(c, "[http]\nport = \"abc\"\n", "onair.toml"); }).find("http.port must be an integer"), std::string::npos);
  EXPECT_NE(message([&] { ConfigLoader::applyTomlText(c, "[http]\nprot = 1\n", "onair.toml"); }).find("unknown key 'http.prot'"), std::string::npos);
  EXPECT_NE(message([&] { ConfigLoader::applyTomlText(c, "[http\n", "onair.toml"); }).find("onair.toml:"), std::string::npos);
  EXPECT_NE(message([&] { ConfigLoader::applyValues(c, {{"http.port", "70000"}}, "flag"); }).find("between 0 and 65535"), std::string::npos);
  EXPECT_NE(message([&] { ConfigLoader::applyValues(c, {{"log.format", "xml"}}, "flag"); }).find("one of text, json"), std::string::npos);
  EXPECT_NE(message([&] { ConfigLoader::applyEnv(c, envOf({{"ONAIR_API_KEY", "k"}})); }).find("both ONAIR_API_KEY"), std::string::npos);
  EXPECT_NE(message([&] { ConfigLoader::applyTomlText(c, "[[keys]]\nkey = \"k\"\nsecret = \"short\"\n"); }).find("at least 16"), std::string::npos);
  // A per-connection limit has no meaning per namespace: refused there rather than ignored.
  EXPECT_NE(message([&] {
              ConfigLoader::applyTomlText(c, "[[rooms.namespaces]]\npattern = \"t_*\"\nmax_subscriptions_per_connection = 5\n", "onair.toml");
            }).find("is per connection"),
            std::string::npos);
}

TEST(ConfigLoader, ReferenceListsEveryKeyWithFlagAndEnv) {
  auto md = ConfigLoader::referenceMarkdown();
  for (const auto& k : ConfigLoader::keys()) {
    EXPECT_NE(md.find("`" + k.name + "`"), std::string::npos) << k.name;
    EXPECT_NE(md.find(k.flag), std::string::npos);
    EXPECT_NE(md.find(k.env), std::string::npos);
  }
  EXPECT_NE(md.find("--http-port"), std::string::npos);
  EXPECT_NE(md.find("ONAIR_HTTP_PORT"), std::string::npos);
  EXPECT_NE(md.find("--data-dir"), std::string::npos);
}

TEST(ConfigLoader, RedisEngineKeysFromFileAndEnvironment) {
  Config c;
  EXPECT_EQ(c.engine, "embedded");
  ConfigLoader::applyTomlText(c, "engine = \"redis\"\n[redis]\nurl = \"redis://10.0.0.5:6379/2\"\ncluster = false\n"
                                 "command_timeout_ms = 250\n[node]\nid = \"edge-1\"\n");
  ConfigLoader::applyEnv(c, envOf({{"ONAIR_REDIS_PREFIX", "staging"}, {"ONAIR_NODE_ANNOUNCE_ADDRESS", "203.0.113.7:443"}}));
  EXPECT_EQ(c.engine, "redis");
  EXPECT_EQ(c.redisUrl, "redis://10.0.0.5:6379/2");
  EXPECT_EQ(c.redisCluster, "false");
  EXPECT_EQ(c.redisCommandTimeoutMs, 250);
  EXPECT_EQ(c.redisPresenceTtlMs, 30000);
  EXPECT_EQ(c.redisPrefix, "staging");
  EXPECT_EQ(c.nodeId, "edge-1");
  EXPECT_EQ(c.nodeAnnounceAddress, "203.0.113.7:443");
  EXPECT_NO_THROW(ConfigLoader::validate(c));
}

TEST(ConfigLoader, RedisEngineIsRefusedClearlyWithoutAUsableUrl) {
  auto validateMessage = [](std::map<std::string, std::string> values) {
    Config c;
    ConfigLoader::applyValues(c, values, "flag");
    try {
      ConfigLoader::validate(c);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(validateMessage({{"engine", "redis"}}).find("needs redis.url"), std::string::npos);
  auto bad = validateMessage({{"engine", "redis"}, {"redis.url", "redis://user:hunter2secret@host:99999"}});
  EXPECT_NE(bad.find("redis.url: bad port"), std::string::npos);
  EXPECT_EQ(bad.find("hunter2secret"), std::string::npos);  // never repeats the password
  EXPECT_NE(validateMessage({{"engine", "redis"}, {"redis.url", "redis+cluster://h:7000"}}).find("not supported yet"), std::string::npos);
  EXPECT_NE(validateMessage({{"engine", "redis"}, {"redis.url", "redis://h"}, {"redis.cluster", "true"}}).find("not supported yet"),
            std::string::npos);
  EXPECT_NE(validateMessage({{"engine", "redis"}, {"redis.url", "redis://h"}, {"redis.prefix", "a{b}"}}).find("redis.prefix"),
            std::string::npos);
  EXPECT_NE(validateMessage({{"node.id", "has space"}}).find("node.id"), std::string::npos);
  // The embedded engine ignores redis.url.
  EXPECT_EQ(validateMessage({{"redis.url", "nonsense"}}), "");
}
