#include "engine/redis/RedisRegistry.hpp"

#include "RedisEngineFixture.hpp"
#include "engine/memory/MemoryRegistry.hpp"

using namespace onair::engine;
using namespace onair::engine::redis;

namespace {

class RedisRegistryTest : public onair::engine::redis::testing::RedisEngineFixture {
 protected:
  static Outcome<bool> change(Registry& registry, const std::string& key, const std::string& member, bool add) {
    return await<bool>([&](auto done) {
      if (add) registry.addMember(key, member, done);
      else registry.removeMember(key, member, done);
    });
  }
  static std::optional<Record> get(Registry& registry, const std::string& key) {
    return valueOf(await<std::optional<Record>>([&](auto done) { registry.get(key, done); }));
  }
  static PutResult put(Registry& registry, const std::string& key, const std::string& value) {
    return valueOf(await<PutResult>([&](auto done) { registry.put(key, value, std::nullopt, done); }));
  }
};

// A set changed by the Lua script is stored byte for byte as the embedded engine stores it, with
// escapes, non-ASCII text and NUL bytes.
TEST_F(RedisRegistryTest, SetsAreStoredAsTheEmbeddedEngineStoresThem) {
  auto one = node();
  memory::MemoryRegistry embedded;
  const std::vector<std::string> members{"a\"b", "\xc3\xa9", std::string("\0", 1), "\x01\x1f\x7f/\\\b\f\n\r\t", "a b", "\xf0\x9f\x8e\xa4"};
  for (const auto& m : members) {
    ASSERT_TRUE(valueOf(change(one->registry(), "set", m, true)));
    ASSERT_TRUE(valueOf(change(embedded, "set", m, true)));
    EXPECT_EQ(get(one->registry(), "set")->value, get(embedded, "set")->value);
  }
  ASSERT_TRUE(valueOf(change(one->registry(), "set", members[2], false)));
  ASSERT_TRUE(valueOf(change(embedded, "set", members[2], false)));
  EXPECT_EQ(get(one->registry(), "set")->value, get(embedded, "set")->value);
}

TEST_F(RedisRegistryTest, SetsWrittenWithEscapesAreReadAsTheirStrings) {
  auto one = node();
  memory::MemoryRegistry embedded;
  const std::string written = R"( ["\u0000", "\u00e9", "a\/b", "\ud83c\udfa4", "\"q\""] )";
  put(one->registry(), "set", written);
  put(embedded, "set", written);
  const std::vector<std::string> stored{std::string("\0", 1), "\xc3\xa9", "a/b", "\xf0\x9f\x8e\xa4", "\"q\""};
  for (const auto& member : stored) {
    EXPECT_FALSE(valueOf(change(one->registry(), "set", member, true))) << "already a member: " << member;
  }
  EXPECT_TRUE(valueOf(change(one->registry(), "set", "new", true)));
  EXPECT_TRUE(valueOf(change(embedded, "set", "new", true)));
  EXPECT_EQ(get(one->registry(), "set")->value, get(embedded, "set")->value);
}

TEST_F(RedisRegistryTest, OnlyAnArrayOfStringsIsASet) {
  auto one = node();
  for (const std::string_view value : {"{}", R"({"1":"a"})", "[1]", R"(["a",null])", R"(["a",["b"]])", "\"a\"", "not json", ""}) {
    put(one->registry(), "k", std::string(value));
    auto outcome = change(one->registry(), "k", "a", true);
    EXPECT_TRUE(std::holds_alternative<EngineError>(outcome)) << value;
    EXPECT_EQ(get(one->registry(), "k")->value, value);
    EXPECT_EQ(get(one->registry(), "k")->version, 1u);
    valueOf(await<Done>([&](auto done) { one->registry().remove("k", done); }));
  }
  put(one->registry(), "k", " [ ] ");
  EXPECT_TRUE(valueOf(change(one->registry(), "k", "a", true)));
  EXPECT_EQ(get(one->registry(), "k")->value, R"(["a"])");
}

TEST_F(RedisRegistryTest, RecordsAreSharedByNodes) {
  auto one = node();
  auto two = node();
  put(one->registry(), "k", "v1");
  auto conflict = valueOf(await<PutResult>([&](auto done) { two->registry().put("k", "v2", 0, done); }));
  EXPECT_TRUE(conflict.conflict);
  EXPECT_EQ(conflict.record.value, "v1");
  EXPECT_TRUE(valueOf(change(two->registry(), "s", "a", true)));
  EXPECT_FALSE(valueOf(change(one->registry(), "s", "a", true)));
}

TEST(RedisRegistryReplies, UnexpectedShapesAreEngineErrors) {
  using Reply = RedisReply;
  auto ok = [](Reply reply) { return RedisOutcome::success(std::move(reply)); };
  EXPECT_TRUE(std::holds_alternative<EngineError>(RedisRegistry::recordOf(ok(Reply::integer(1)))));
  EXPECT_TRUE(std::holds_alternative<EngineError>(
      RedisRegistry::recordOf(ok(Reply::array({Reply::bulk("v"), Reply::bulk("x"), Reply::bulk("1")})))));
  EXPECT_TRUE(std::holds_alternative<EngineError>(
      RedisRegistry::recordOf(ok(Reply::array({Reply::bulk("v"), Reply::bulk("1")})))));
  EXPECT_TRUE(std::holds_alternative<EngineError>(RedisRegistry::putResultOf(ok(Reply::bulk("OK")), "v")));
  EXPECT_TRUE(std::holds_alternative<EngineError>(
      RedisRegistry::putResultOf(ok(Reply::array({Reply::integer(1), Reply::integer(2), Reply::integer(3)})), "v")))
      << "a conflict with a stored record carries its value";
  EXPECT_TRUE(std::holds_alternative<EngineError>(RedisRegistry::setChangeOf(ok(Reply::integer(7)), "k")));
  EXPECT_TRUE(std::holds_alternative<EngineError>(RedisRegistry::setChangeOf(ok(Reply::array({})), "k")));
  EXPECT_TRUE(std::holds_alternative<EngineError>(RedisRegistry::removedOf(ok(Reply::integer(2)))));
  EXPECT_TRUE(std::holds_alternative<EngineError>(RedisRegistry::removedOf(ok(Reply::array({})))));
  EXPECT_EQ(std::get<bool>(RedisRegistry::removedOf(ok(Reply::integer(1)))), true);

  auto missing = RedisRegistry::recordOf(ok(Reply::array({Reply::nil(), Reply::nil(), Reply::nil()})));
  ASSERT_TRUE(std::holds_alternative<std::optional<Record>>(missing));
  EXPECT_FALSE(std::get<std::optional<Record>>(missing).has_value());
}

}  // namespace
