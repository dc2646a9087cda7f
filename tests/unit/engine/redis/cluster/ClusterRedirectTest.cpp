#include "engine/redis/cluster/ClusterRedirect.hpp"

#include <gtest/gtest.h>

using onair::engine::redis::cluster::ClusterRedirect;

TEST(ClusterRedirect, ParsesMovedAndAsk) {
  const auto moved = ClusterRedirect::parse("MOVED 3999 127.0.0.1:6381");
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->kind, ClusterRedirect::Kind::Moved);
  EXPECT_EQ(moved->slot, 3999);
  EXPECT_EQ(moved->target.host, "127.0.0.1");
  EXPECT_EQ(moved->target.port, 6381);
  const auto ask = ClusterRedirect::parse("ASK 16383 redis-2.local:7000");
  ASSERT_TRUE(ask);
  EXPECT_EQ(ask->kind, ClusterRedirect::Kind::Ask);
  EXPECT_EQ(ask->slot, 16383);
  EXPECT_EQ(ask->target.host, "redis-2.local");
  EXPECT_EQ(ask->target.address(), "redis-2.local:7000");
}

TEST(ClusterRedirect, TakesIpv6AndEmptyHosts) {
  const auto ipv6 = ClusterRedirect::parse("MOVED 1 ::1:7001");
  ASSERT_TRUE(ipv6);
  EXPECT_EQ(ipv6->target.host, "::1");
  EXPECT_EQ(ipv6->target.port, 7001);
  const auto unknown = ClusterRedirect::parse("MOVED 0 :7002");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->target.host, "");
  EXPECT_EQ(unknown->target.port, 7002);
}

TEST(ClusterRedirect, RefusesEverythingElse) {
  for (const char* text : {"", "MOVED", "MOVED 3999", "MOVED 3999 ", "MOVED 16384 h:1", "MOVED -1 h:1",
                           "MOVED 3999 host", "MOVED 3999 h:0", "MOVED 3999 h:65536", "MOVED 3999 h:1 extra",
                           "MOVED  3999 h:1", "moved 3999 h:1", "ASKING 1 h:1", "CLUSTERDOWN The cluster is down",
                           "TRYAGAIN Multiple keys request during rehashing of slot", "MOVED 0x1 h:1", "MOVED 1 h:+1"}) {
    EXPECT_FALSE(ClusterRedirect::parse(text)) << text;
  }
  EXPECT_FALSE(ClusterRedirect::parse("MOVED 1 " + std::string(600, 'h') + ":1"));
}
