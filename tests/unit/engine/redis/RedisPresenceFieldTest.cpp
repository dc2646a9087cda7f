#include "engine/redis/RedisPresenceField.hpp"

#include <gtest/gtest.h>

using namespace onair::engine;
using namespace onair::engine::redis;

namespace {

std::string stored(int64_t joinSeq, int64_t putSeq, const PresenceEntry& entry) {
  return std::to_string(joinSeq) + " " + std::to_string(putSeq) + " " + RedisPresenceField::payloadOf(entry);
}

RedisPresenceField field(int64_t joinSeq, int64_t putSeq, const PresenceEntry& entry) {
  auto parsed = RedisPresenceField::parse(stored(joinSeq, putSeq, entry));
  EXPECT_TRUE(parsed.has_value());
  return parsed.value_or(RedisPresenceField{});
}

}  // namespace

TEST(RedisPresenceField, AnyBytesRoundTrip) {
  const PresenceEntry odd{std::string("u\0\"\xff", 4), "\xc3\xa9\n\\", R"({"a":"\u0000"})", "[null]", -3};
  auto parsed = RedisPresenceField::parse(stored(12, 34, odd));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->joinSeq, 12);
  EXPECT_EQ(parsed->putSeq, 34);
  EXPECT_EQ(parsed->entry.userId, odd.userId);
  EXPECT_EQ(parsed->entry.name, odd.name);
  EXPECT_EQ(parsed->entry.metadataJson, odd.metadataJson);
  EXPECT_EQ(parsed->entry.presenceJson, odd.presenceJson);
  EXPECT_EQ(parsed->entry.joinedAtMs, -3);
}

TEST(RedisPresenceField, RefusesEverythingElse) {
  const std::string payload = RedisPresenceField::payloadOf(PresenceEntry{"u", "U", "{}", "null", 1});
  const std::vector<std::string> malformed{"", "1 2", "1 2 ", "1  2 " + payload, "1 2" + payload, "a 2 " + payload,
                                          "1 2 " + payload + "x", R"(1 2 {"u":"u"})",
                                          R"(1 2 {"u":"u","n":"n","m":"{}","p":"null","j":1.5})",
                                          R"(1 2 {"u":"u","n":1,"m":"{}","p":"null","j":1})"};
  for (const auto& bad : malformed) {
    EXPECT_FALSE(RedisPresenceField::parse(bad).has_value()) << bad;
  }
  EXPECT_FALSE(RedisPresenceField::parse("1 2 " + std::string(RedisPresenceField::kMaxBytes, ' ') + payload).has_value());
}

TEST(RedisPresenceField, MergeKeepsTheFirstJoinAndTheLatestPut) {
  auto entries = RedisPresenceField::merge({
      field(5, 9, PresenceEntry{"b", "B late", "{}", "1", 50}),
      field(2, 2, PresenceEntry{"a", "A", "{}", "null", 20}),
      field(1, 3, PresenceEntry{"b", "B early", "{}", "0", 10}),
      field(2, 4, PresenceEntry{"c", "C", "{}", "null", 20}),
  });
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].userId, "b");
  EXPECT_EQ(entries[0].name, "B late");
  EXPECT_EQ(entries[0].presenceJson, "1");
  EXPECT_EQ(entries[0].joinedAtMs, 10);
  EXPECT_EQ(entries[1].userId, "a") << "equal join sequences: by userId";
  EXPECT_EQ(entries[2].userId, "c");
}
