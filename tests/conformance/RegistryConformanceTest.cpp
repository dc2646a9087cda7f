// Registry contract (engine/Registry.hpp), run against every engine.
#include <boost/json.hpp>

#include <algorithm>
#include <thread>

#include "ConformanceFixture.hpp"

namespace onair::conformance {
namespace {

class RegistryConformance : public EngineConformance {
 protected:
  bool addMember(const std::string& key, const std::string& member) {
    return valueOf(awaitCompletion<engine::Outcome<bool>>(
                       [&](auto done) { engine().registry().addMember(key, member, std::move(done)); }, "addMember"),
                   "addMember");
  }
  bool removeMember(const std::string& key, const std::string& member) {
    return valueOf(awaitCompletion<engine::Outcome<bool>>(
                       [&](auto done) { engine().registry().removeMember(key, member, std::move(done)); }, "removeMember"),
                   "removeMember");
  }
  bool removeIf(const std::string& key, uint64_t expectedVersion) {
    return valueOf(awaitCompletion<engine::Outcome<bool>>(
                       [&](auto done) { engine().registry().removeIf(key, expectedVersion, std::move(done)); }, "removeIf"),
                   "removeIf");
  }
  // The members of a set as stored, sorted (the contract fixes no order).
  std::vector<std::string> members(const std::string& key) {
    auto record = get(key);
    if (!record) return {};
    std::vector<std::string> out;
    auto value = boost::json::parse(record->value);
    for (const auto& m : value.as_array()) out.emplace_back(m.as_string());
    std::sort(out.begin(), out.end());
    return out;
  }
};

TEST_P(RegistryConformance, GetOfMissingKeyIsEmpty) { EXPECT_FALSE(get(name("missing")).has_value()); }

TEST_P(RegistryConformance, PutWithoutVersionAlwaysSucceedsAndCountsVersions) {
  const auto key = name("room");
  auto first = put(key, R"({"title":"one"})");
  EXPECT_FALSE(first.conflict);
  EXPECT_EQ(first.record.version, 1u);
  EXPECT_EQ(first.record.value, R"({"title":"one"})");
  EXPECT_GT(first.record.updatedAtMs, 0);

  auto second = put(key, R"({"title":"two"})");
  EXPECT_FALSE(second.conflict);
  EXPECT_EQ(second.record.version, 2u);
  EXPECT_EQ(second.record.value, R"({"title":"two"})");
  EXPECT_GE(second.record.updatedAtMs, first.record.updatedAtMs);

  auto stored = get(key);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->version, 2u);
  EXPECT_EQ(stored->value, R"({"title":"two"})");
  EXPECT_EQ(stored->updatedAtMs, second.record.updatedAtMs);
}

TEST_P(RegistryConformance, ExpectedVersionZeroCreatesOnlyWhenMissing) {
  const auto key = name("stage");
  auto created = put(key, R"({"v":1})", 0);
  EXPECT_FALSE(created.conflict);
  EXPECT_EQ(created.record.version, 1u);
  EXPECT_EQ(created.record.value, R"({"v":1})");

  auto again = put(key, R"({"v":"again"})", 0);
  EXPECT_TRUE(again.conflict);
  EXPECT_EQ(again.record.version, 1u);
  EXPECT_EQ(again.record.value, R"({"v":1})");
  auto stored = get(key);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->version, 1u);
  EXPECT_EQ(stored->value, R"({"v":1})");
}

TEST_P(RegistryConformance, MatchingExpectedVersionStoresNextVersion) {
  const auto key = name("k");
  put(key, "1");
  auto second = put(key, "2", 1);
  EXPECT_FALSE(second.conflict);
  EXPECT_EQ(second.record.version, 2u);
  auto third = put(key, "3", 2);
  EXPECT_FALSE(third.conflict);
  EXPECT_EQ(third.record.version, 3u);
  EXPECT_EQ(get(key)->value, "3");
}

TEST_P(RegistryConformance, StaleExpectedVersionConflictsAndChangesNothing) {
  const auto key = name("k");
  put(key, R"("first")");
  auto current = put(key, R"("second")");
  ASSERT_EQ(current.record.version, 2u);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));

  auto stale = put(key, R"("stale")", 1);
  EXPECT_TRUE(stale.conflict);
  EXPECT_EQ(stale.record.version, 2u);
  EXPECT_EQ(stale.record.value, R"("second")");
  EXPECT_EQ(stale.record.updatedAtMs, current.record.updatedAtMs);

  auto ahead = put(key, R"("ahead")", 7);
  EXPECT_TRUE(ahead.conflict);
  EXPECT_EQ(ahead.record.version, 2u);

  auto stored = get(key);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->version, 2u);
  EXPECT_EQ(stored->value, R"("second")");
  EXPECT_EQ(stored->updatedAtMs, current.record.updatedAtMs);

  // The failed puts did not consume versions.
  EXPECT_EQ(put(key, R"("third")", 2).record.version, 3u);
}

TEST_P(RegistryConformance, NonZeroExpectedVersionOnMissingKeyConflicts) {
  const auto key = name("missing");
  auto result = put(key, "{}", 1);
  EXPECT_TRUE(result.conflict);
  EXPECT_EQ(result.record.version, 0u) << "the current record of a missing key is 'never stored'";
  EXPECT_FALSE(get(key).has_value());
}

TEST_P(RegistryConformance, RemoveForgetsTheRecordAndVersionsRestart) {
  const auto key = name("k");
  put(key, "1");
  put(key, "2");
  removeRecord(key);
  EXPECT_FALSE(get(key).has_value());
  auto again = put(key, "fresh", 0);
  EXPECT_FALSE(again.conflict);
  EXPECT_EQ(again.record.version, 1u);
  EXPECT_EQ(get(key)->value, "fresh");
}

TEST_P(RegistryConformance, RemoveOfMissingKeySucceeds) {
  removeRecord(name("missing"));
  EXPECT_FALSE(get(name("missing")).has_value());
}

TEST_P(RegistryConformance, RemoveIfRemovesOnlyTheExpectedVersion) {
  const auto key = name("owned");
  put(key, R"({"node":"a"})");
  put(key, R"({"node":"b"})");  // replaced by another node after a read of version 1
  EXPECT_FALSE(removeIf(key, 1)) << "a stale version removes nothing";
  auto kept = get(key);
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ(kept->version, 2u);
  EXPECT_EQ(kept->value, R"({"node":"b"})");
  EXPECT_FALSE(removeIf(key, 3));

  EXPECT_TRUE(removeIf(key, 2));
  EXPECT_FALSE(get(key).has_value());
  EXPECT_EQ(put(key, "fresh", 0).record.version, 1u) << "versions restart after a removal";
}

TEST_P(RegistryConformance, RemoveIfOfAMissingKeyRemovesNothing) {
  const auto key = name("missing");
  EXPECT_FALSE(removeIf(key, 0));
  EXPECT_FALSE(removeIf(key, 1));
  EXPECT_FALSE(get(key).has_value());
}

TEST_P(RegistryConformance, ConcurrentRemoveIfsOfOneVersionRemoveOnce) {
  // Issued together from several threads: the check and the delete are one step, so exactly one
  // of them finds version 1 (a get-then-remove from each would all find it).
  const auto key = name("raced");
  put(key, "1");
  Collector<engine::Outcome<bool>> outcomes;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back([&] { engine().registry().removeIf(key, 1, outcomes.callback()); });
  for (auto& t : threads) t.join();
  int removed = 0;
  for (const auto& outcome : outcomes.waitFor(4)) {
    ASSERT_TRUE(std::holds_alternative<bool>(outcome));
    removed += std::get<bool>(outcome) ? 1 : 0;
  }
  EXPECT_EQ(removed, 1);
  EXPECT_FALSE(get(key).has_value());
}

TEST_P(RegistryConformance, KeysAreIndependent) {
  put(name("a"), "a1");
  put(name("a"), "a2");
  auto b = put(name("b"), "b1");
  EXPECT_EQ(b.record.version, 1u);
  removeRecord(name("b"));
  ASSERT_TRUE(get(name("a")).has_value());
  EXPECT_EQ(get(name("a"))->version, 2u);
  EXPECT_EQ(get(name("a"))->value, "a2");
}

TEST_P(RegistryConformance, CompletionsRunOffTheCallingThread) {
  auto caller = std::this_thread::get_id();
  auto thread = awaitCompletion<std::thread::id>(
      [&](auto done) {
        engine().registry().put(name("k"), "{}", std::nullopt,
                                [done](engine::Outcome<engine::PutResult>) { done(std::this_thread::get_id()); });
      },
      "put");
  EXPECT_NE(thread, caller);
}

TEST_P(RegistryConformance, RecordsSurviveRestart) {
  const auto key = name("k");
  put(key, R"({"v":1})");
  auto last = put(key, R"({"v":2})");
  const auto removed = name("removed");
  put(removed, "x");
  removeRecord(removed);

  restart();

  auto stored = get(key);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->version, 2u);
  EXPECT_EQ(stored->value, R"({"v":2})");
  EXPECT_EQ(stored->updatedAtMs, last.record.updatedAtMs);
  EXPECT_FALSE(get(removed).has_value());
  EXPECT_TRUE(put(key, "stale", 1).conflict);
  EXPECT_EQ(put(key, R"({"v":3})", 2).record.version, 3u);
}

TEST_P(RegistryConformance, AddMemberCreatesTheSetAndCountsOnlyChanges) {
  const auto key = name("set");
  EXPECT_TRUE(addMember(key, "a"));
  EXPECT_EQ(get(key)->version, 1u);
  EXPECT_FALSE(addMember(key, "a")) << "a member is stored once";
  EXPECT_EQ(get(key)->version, 1u) << "no change, no new version";
  EXPECT_TRUE(addMember(key, "b \"quoted\""));
  EXPECT_EQ(get(key)->version, 2u);
  EXPECT_EQ(members(key), (std::vector<std::string>{"a", "b \"quoted\""}));
}

TEST_P(RegistryConformance, RemoveMemberTakesOneOutAndLeavesAnEmptySet) {
  const auto key = name("set");
  EXPECT_FALSE(removeMember(key, "a")) << "a missing key is the empty set";
  EXPECT_FALSE(get(key).has_value()) << "removing from a missing set creates nothing";
  addMember(key, "a");
  addMember(key, "b");
  EXPECT_FALSE(removeMember(key, "c"));
  EXPECT_EQ(get(key)->version, 2u);
  EXPECT_TRUE(removeMember(key, "a"));
  EXPECT_EQ(members(key), std::vector<std::string>{"b"});
  EXPECT_TRUE(removeMember(key, "b"));
  auto stored = get(key);
  ASSERT_TRUE(stored.has_value());
  EXPECT_TRUE(boost::json::parse(stored->value).as_array().empty());
  EXPECT_EQ(stored->version, 4u);
}

TEST_P(RegistryConformance, ConcurrentMemberChangesLoseNothing) {
  // Adds and removes issued together from several threads: each one's change survives the others
  // (a read-then-put from two callers would lose one of them).
  const auto key = name("set");
  constexpr int kMembers = 60;
  for (int i = 0; i < kMembers; i += 2) addMember(key, "old" + std::to_string(i));
  Collector<engine::Outcome<bool>> changes;
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < kMembers; i += 3) {
        engine().registry().addMember(key, "new" + std::to_string(i), changes.callback());
        if (i % 2 == 0) engine().registry().removeMember(key, "old" + std::to_string(i), changes.callback());
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& outcome : changes.waitFor(kMembers + kMembers / 2)) {
    ASSERT_TRUE(std::holds_alternative<bool>(outcome));
    EXPECT_TRUE(std::get<bool>(outcome));
  }
  std::vector<std::string> expected;
  for (int i = 0; i < kMembers; ++i) expected.push_back("new" + std::to_string(i));
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(members(key), expected);
}

TEST_P(RegistryConformance, MemberChangesOnARecordThatIsNotASetFailAndChangeNothing) {
  const auto key = name("notASet");
  put(key, R"({"a":1})");
  auto outcome = awaitCompletion<engine::Outcome<bool>>(
      [&](auto done) { engine().registry().addMember(key, "a", std::move(done)); }, "addMember");
  EXPECT_TRUE(std::holds_alternative<engine::EngineError>(outcome));
  EXPECT_EQ(get(key)->value, R"({"a":1})");
  EXPECT_EQ(get(key)->version, 1u);
}

TEST_P(RegistryConformance, SetsSurviveRestart) {
  const auto key = name("set");
  addMember(key, "a");
  addMember(key, "b");
  removeMember(key, "a");
  restart();
  EXPECT_EQ(members(key), std::vector<std::string>{"b"});
  EXPECT_TRUE(addMember(key, "c"));
  EXPECT_EQ(get(key)->version, 4u);
}

ONAIR_INSTANTIATE_CONFORMANCE(RegistryConformance);

}  // namespace
}  // namespace onair::conformance
