// Presence contract (engine/Presence.hpp), run against every engine.
#include <thread>

#include "ConformanceFixture.hpp"

namespace onair::conformance {
namespace {

class PresenceConformance : public EngineConformance {};

std::vector<std::string> usersOf(const std::vector<engine::PresenceEntry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.push_back(e.userId);
  return out;
}

using Users = std::vector<std::string>;

TEST_P(PresenceConformance, EmptyRoomListsNothing) { EXPECT_TRUE(presenceList(name("room")).empty()); }

TEST_P(PresenceConformance, ListIsInJoinOrderWithAllFields) {
  const auto room = name("room");
  presencePut(room, entry("carol", "Carol", R"({"typing":true})", 1000));
  presencePut(room, entry("alice", "Alice", "null", 2000));
  presencePut(room, entry("bob", "Bob", R"({"away":1})", 3000));

  auto entries = presenceList(room);
  EXPECT_EQ(usersOf(entries), (Users{"carol", "alice", "bob"}));
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].name, "Carol");
  EXPECT_EQ(entries[0].metadataJson, R"({"role":"carol"})");
  EXPECT_EQ(entries[0].presenceJson, R"({"typing":true})");
  EXPECT_EQ(entries[0].joinedAtMs, 1000);
  EXPECT_EQ(entries[2].name, "Bob");
  EXPECT_EQ(entries[2].presenceJson, R"({"away":1})");
  EXPECT_EQ(entries[2].joinedAtMs, 3000);
}

TEST_P(PresenceConformance, PutOfSameUserReplacesInPlace) {
  const auto room = name("room");
  presencePut(room, entry("a", "A"));
  presencePut(room, entry("b", "B", "null", 10));
  presencePut(room, entry("c", "C"));
  presencePut(room, entry("b", "B renamed", R"({"state":"speaking"})", 10));

  auto entries = presenceList(room);
  EXPECT_EQ(usersOf(entries), (Users{"a", "b", "c"}));
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[1].name, "B renamed");
  EXPECT_EQ(entries[1].presenceJson, R"({"state":"speaking"})");
}

TEST_P(PresenceConformance, RemoveDropsOneEntryAndKeepsOrder) {
  const auto room = name("room");
  presencePut(room, entry("a", "A"));
  presencePut(room, entry("b", "B"));
  presencePut(room, entry("c", "C"));
  presenceRemove(room, "b");
  EXPECT_EQ(usersOf(presenceList(room)), (Users{"a", "c"}));
}

TEST_P(PresenceConformance, RemoveOfAbsentEntrySucceeds) {
  const auto room = name("room");
  presenceRemove(room, "nobody");  // room never used
  presencePut(room, entry("a", "A"));
  presenceRemove(room, "nobody");
  EXPECT_EQ(usersOf(presenceList(room)), (Users{"a"}));
}

TEST_P(PresenceConformance, RejoinAfterRemoveGoesLast) {
  const auto room = name("room");
  presencePut(room, entry("a", "A"));
  presencePut(room, entry("b", "B"));
  presenceRemove(room, "a");
  presencePut(room, entry("a", "A"));
  EXPECT_EQ(usersOf(presenceList(room)), (Users{"b", "a"}));
}

TEST_P(PresenceConformance, ClearEmptiesTheRoom) {
  const auto room = name("room");
  presencePut(room, entry("a", "A"));
  presencePut(room, entry("b", "B"));
  presenceClear(room);
  EXPECT_TRUE(presenceList(room).empty());
  presenceClear(room);  // clearing an empty room succeeds too
  presencePut(room, entry("c", "C"));
  EXPECT_EQ(usersOf(presenceList(room)), (Users{"c"}));
}

TEST_P(PresenceConformance, RoomsAreIndependent) {
  const auto one = name("one");
  const auto two = name("two");
  presencePut(one, entry("a", "A in one"));
  presencePut(two, entry("a", "A in two"));
  presencePut(two, entry("b", "B"));

  auto inOne = presenceList(one);
  EXPECT_EQ(usersOf(inOne), (Users{"a"}));
  ASSERT_EQ(inOne.size(), 1u);
  EXPECT_EQ(inOne[0].name, "A in one");

  presenceRemove(one, "a");
  EXPECT_TRUE(presenceList(one).empty());
  EXPECT_EQ(usersOf(presenceList(two)), (Users{"a", "b"}));

  presenceClear(two);
  presencePut(one, entry("z", "Z"));
  EXPECT_TRUE(presenceList(two).empty());
  EXPECT_EQ(usersOf(presenceList(one)), (Users{"z"}));
}

// Multi-node engines: the entries of a node that stops refreshing them (it died) expire within
// its TTL, while those of a live node stay however long it lives.
TEST_P(PresenceConformance, EntriesOfADeadNodeExpireWhileALiveNodeKeepsItsOwn) {
  if (!GetParam().makePeerWithTtl) GTEST_SKIP() << "single-node engine: entries do not expire";
  constexpr int64_t kTtlMs = 600;
  const auto room = name("room");
  auto live = GetParam().makePeerWithTtl(dataDir(), kTtlMs);
  auto dying = GetParam().makePeerWithTtl(dataDir(), kTtlMs);
  auto putOn = [&](engine::Engine& node, engine::PresenceEntry e) {
    valueOf(awaitCompletion<engine::Outcome<engine::Done>>(
                [&](auto done) { node.presence().put(room, std::move(e), std::move(done)); }, "presence put"),
            "presence put");
  };
  putOn(*live, entry("stays", "Stays", "null", 1));
  putOn(*dying, entry("goes", "Goes", "null", 2));
  EXPECT_EQ(usersOf(presenceList(room)), (Users{"stays", "goes"}));

  dying->stop();
  dying.reset();  // no remove(): its entry is left to expire
  // Bounded polling, not a timing assertion: the entry must go within the TTL; the wait allows
  // far more.
  std::vector<std::string> users;
  for (int i = 0; i < 100; ++i) {
    users = usersOf(presenceList(room));
    if (users == Users{"stays"}) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(users, Users{"stays"});
  // Several TTLs later the live node's refreshes still keep its entry.
  std::this_thread::sleep_for(std::chrono::milliseconds(3 * kTtlMs));
  EXPECT_EQ(usersOf(presenceList(room)), Users{"stays"});
  live->stop();
}

ONAIR_INSTANTIATE_CONFORMANCE(PresenceConformance);

}  // namespace
}  // namespace onair::conformance
