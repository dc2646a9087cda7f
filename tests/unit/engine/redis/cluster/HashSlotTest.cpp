#include "engine/redis/cluster/HashSlot.hpp"

#include <gtest/gtest.h>

using onair::engine::redis::cluster::HashSlot;

// Expected slots are what `CLUSTER KEYSLOT` answers (RedisClusterClientTest checks the same keys
// against a real cluster).
TEST(HashSlot, MatchesRedisForPlainKeys) {
  EXPECT_EQ(HashSlot::of("foo"), 12182);
  EXPECT_EQ(HashSlot::of("bar"), 5061);
  EXPECT_EQ(HashSlot::of(""), 0);
  // CRC16/XMODEM's check value for "123456789" is 0x31C3.
  EXPECT_EQ(HashSlot::of("123456789"), 0x31C3);
  EXPECT_EQ(HashSlot::of(std::string("a\0b", 3)), HashSlot::of(std::string("a\0b", 3)));
  EXPECT_NE(HashSlot::of(std::string("a\0b", 3)), HashSlot::of("a"));
}

TEST(HashSlot, HashesOnlyANonEmptyTag) {
  EXPECT_EQ(HashSlot::of("{user1000}.following"), 3443);
  EXPECT_EQ(HashSlot::of("{user1000}.following"), HashSlot::of("{user1000}.followers"));
  EXPECT_EQ(HashSlot::of("onair:h:{room}"), HashSlot::of("onair:p:{room}:expiry"));
  EXPECT_EQ(HashSlot::hashedPart("foo{}{bar}"), "foo{}{bar}");
  EXPECT_EQ(HashSlot::hashedPart("foo{{bar}}zap"), "{bar");
  EXPECT_EQ(HashSlot::hashedPart("foo{bar}{zap}"), "bar");
  EXPECT_EQ(HashSlot::hashedPart("{"), "{");
  EXPECT_EQ(HashSlot::hashedPart("}{"), "}{");
  EXPECT_EQ(HashSlot::hashedPart("x{y"), "x{y");
  EXPECT_EQ(HashSlot::of("foo{{bar}}zap"), HashSlot::of("{bar"));
  EXPECT_EQ(HashSlot::of("{foo}"), HashSlot::of("foo"));
}
