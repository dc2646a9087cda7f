#include "engine/redis/RedisPresence.hpp"
#include "engine/redis/RedisPresenceField.hpp"

#include "RedisEngineFixture.hpp"

using namespace onair::engine;
using namespace onair::engine::redis;

namespace {

class RedisPresenceTest : public onair::engine::redis::testing::RedisEngineFixture {
 protected:
  static void put(Engine& node, const std::string& room, PresenceEntry entry) {
    valueOf(await<Done>([&](auto done) { node.presence().put(room, std::move(entry), done); }));
  }
  static void remove(Engine& node, const std::string& room, const std::string& userId) {
    valueOf(await<Done>([&](auto done) { node.presence().remove(room, userId, done); }));
  }
  static std::vector<PresenceEntry> list(Engine& node, const std::string& room) {
    return valueOf(await<std::vector<PresenceEntry>>([&](auto done) { node.presence().list(room, done); }));
  }
  static PresenceEntry entry(const std::string& userId, const std::string& name, int64_t joinedAtMs) {
    return PresenceEntry{userId, name, R"({"from":")" + name + R"("})", R"({"typing":false})", joinedAtMs};
  }
};

TEST_F(RedisPresenceTest, OneMemberOnTwoNodesIsOneEntryUntilBothLeave) {
  auto one = node();
  auto two = node();
  put(*one, "room", entry("u", "first", 200));
  put(*one, "room", entry("v", "V", 300));
  put(*two, "room", entry("u", "second", 100));

  auto entries = list(*one, "room");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].userId, "u") << "u joined first (on node one)";
  EXPECT_EQ(entries[0].joinedAtMs, 100) << "the earliest join time";
  EXPECT_EQ(entries[0].name, "second") << "the latest put's contents";
  EXPECT_EQ(entries[0].metadataJson, R"({"from":"second"})");
  EXPECT_EQ(entries[1].userId, "v");

  // A later put on node one wins the contents; the join stays.
  put(*one, "room", entry("u", "third", 900));
  entries = list(*two, "room");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].name, "third");
  EXPECT_EQ(entries[0].joinedAtMs, 100);

  // Leaving node two keeps node one's view of the member, and the reverse.
  remove(*two, "room", "u");
  entries = list(*two, "room");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].userId, "u");
  EXPECT_EQ(entries[0].joinedAtMs, 900);
  remove(*one, "room", "u");
  entries = list(*one, "room");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].userId, "v");
}

TEST_F(RedisPresenceTest, ClearOnOneNodeEmptiesTheRoomForAll) {
  auto one = node();
  auto two = node();
  put(*one, "room", entry("u", "U", 1));
  put(*two, "room", entry("w", "W", 2));
  valueOf(await<Done>([&](auto done) { two->presence().clear("room", done); }));
  EXPECT_TRUE(list(*one, "room").empty());
  EXPECT_EQ(server_.call({"EXISTS", "t:p:{room}", "t:p:{room}:exp", "t:p:{room}:seq"}).integer(), 0);
}

TEST_F(RedisPresenceTest, EntriesAreStoredBinarySafe) {
  auto one = node();
  PresenceEntry odd{std::string("u\0\"x", 4), std::string("n\0\xc3\xa9\\\n", 6), R"({"k":"\u0000\"é"})", "[1,2]", 7};
  put(*one, "room", odd);
  auto entries = list(*one, "room");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].userId, odd.userId);
  EXPECT_EQ(entries[0].name, odd.name);
  EXPECT_EQ(entries[0].metadataJson, odd.metadataJson);
  EXPECT_EQ(entries[0].presenceJson, odd.presenceJson);
  EXPECT_EQ(entries[0].joinedAtMs, 7);
}

TEST_F(RedisPresenceTest, TheRoomsKeysExpireWithTheirFields) {
  auto one = node(60000);
  put(*one, "room", entry("u", "U", 1));
  for (const char* key : {"t:p:{room}", "t:p:{room}:exp", "t:p:{room}:seq"}) {
    const auto left = server_.call({"PTTL", key}).integer();
    EXPECT_GT(left, 0) << key;
    EXPECT_LE(left, 60000) << key;
  }
}

TEST(RedisPresenceReplies, StoredFieldsOfAnotherShapeAreEngineErrors) {
  auto listOf = [](std::vector<RedisReply> values) {
    return RedisPresence::entriesOf(RedisOutcome::success(RedisReply::array(std::move(values))));
  };
  const std::string payload = RedisPresenceField::payloadOf(PresenceEntry{"u", "U", "{}", "null", 5});
  auto good = listOf({RedisReply::bulk("1 1 " + payload)});
  ASSERT_TRUE(std::holds_alternative<std::vector<PresenceEntry>>(good));
  EXPECT_EQ(std::get<std::vector<PresenceEntry>>(good).at(0).joinedAtMs, 5);

  const std::vector<std::string> malformed{"1 1", "x 1 " + payload, "1 " + payload, "1 1 {}", "1 1 [1]",
                                          R"(1 1 {"u":1,"n":"","m":"","p":"","j":1})"};
  for (const auto& bad : malformed) {
    EXPECT_TRUE(std::holds_alternative<EngineError>(listOf({RedisReply::bulk(bad)}))) << bad;
  }
  EXPECT_TRUE(std::holds_alternative<EngineError>(listOf({RedisReply::integer(1)})));
  EXPECT_TRUE(std::holds_alternative<EngineError>(RedisPresence::entriesOf(RedisOutcome::success(RedisReply::bulk("x")))));
  EXPECT_TRUE(std::holds_alternative<EngineError>(
      RedisPresence::entriesOf(RedisOutcome::failure(RedisOutcome::Error::Timeout, ""))));
}

}  // namespace
