// History contract (engine/History.hpp), run against every engine.
#include <thread>

#include "ConformanceFixture.hpp"

namespace onair::conformance {
namespace {

using engine::AppendResult;
using engine::ReadResult;
using engine::Retention;

class HistoryConformance : public EngineConformance {
 protected:
  // Appends `count` messages with data {"n":i} (i from `first`) and returns the results.
  std::vector<AppendResult> appendMany(const std::string& stream, int count, int first = 1, Retention retention = {}) {
    std::vector<AppendResult> out;
    for (int i = first; i < first + count; ++i) out.push_back(append(stream, data(i), std::nullopt, retention));
    return out;
  }
  static std::string data(int n) { return R"({"n":)" + std::to_string(n) + "}"; }
};

TEST_P(HistoryConformance, FirstAppendGetsOffsetOneAndAnEpoch) {
  auto result = append(name("s"), data(1));
  EXPECT_EQ(result.offset, 1u);
  EXPECT_FALSE(result.epoch.empty());
  EXPECT_FALSE(result.duplicate);
  EXPECT_GT(result.timestampMs, 0);
}

TEST_P(HistoryConformance, OffsetsIncreaseByOneAndEpochIsStable) {
  auto results = appendMany(name("s"), 10);
  for (size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i].offset, i + 1);
    EXPECT_EQ(results[i].epoch, results[0].epoch);
    EXPECT_FALSE(results[i].duplicate);
    if (i > 0) {
      EXPECT_GE(results[i].timestampMs, results[i - 1].timestampMs);
    }
  }
}

TEST_P(HistoryConformance, StreamsHaveIndependentOffsets) {
  auto a1 = append(name("a"), data(1));
  auto b1 = append(name("b"), data(1));
  auto a2 = append(name("a"), data(2));
  auto b2 = append(name("b"), data(2));
  auto b3 = append(name("b"), data(3));
  EXPECT_EQ(a1.offset, 1u);
  EXPECT_EQ(a2.offset, 2u);
  EXPECT_EQ(b1.offset, 1u);
  EXPECT_EQ(b2.offset, 2u);
  EXPECT_EQ(b3.offset, 3u);
  EXPECT_EQ(readForward(name("a"), 0).head.offset, 2u);
  EXPECT_EQ(readForward(name("b"), 0).head.offset, 3u);
}

TEST_P(HistoryConformance, BurstCompletionsArriveInOffsetOrder) {
  constexpr int kCount = 1000;
  const auto stream = name("burst");
  Retention retention;
  retention.maxMessages = 2 * kCount;
  Collector<engine::Outcome<AppendResult>> completions;
  for (int i = 1; i <= kCount; ++i) {
    engine().history().append(appendRequest(stream, data(i), std::nullopt, retention), completions.callback());
  }
  auto results = completions.waitFor(kCount);
  ASSERT_EQ(results.size(), static_cast<size_t>(kCount));
  std::string epoch;
  for (int i = 0; i < kCount; ++i) {
    auto result = valueOf(results[i], "burst append");
    ASSERT_EQ(result.offset, static_cast<uint64_t>(i + 1)) << "completion #" << i << " out of offset order";
    if (i == 0) epoch = result.epoch;
    ASSERT_EQ(result.epoch, epoch);
  }
  // Offsets follow submission order from one caller.
  auto stored = readForward(stream, 0, kCount);
  ASSERT_EQ(stored.messages.size(), static_cast<size_t>(kCount));
  for (int i = 0; i < kCount; ++i) {
    ASSERT_EQ(stored.messages[i].offset, static_cast<uint64_t>(i + 1));
    ASSERT_EQ(stored.messages[i].dataJson, data(i + 1));
  }
  EXPECT_EQ(stored.head.offset, static_cast<uint64_t>(kCount));
  EXPECT_EQ(stored.head.epoch, epoch);
}

TEST_P(HistoryConformance, ReadForwardFromOldestAndFromOffset) {
  const auto stream = name("s");
  auto appended = appendMany(stream, 10);

  auto first = readForward(stream, 0, 3);
  EXPECT_EQ(offsetsOf(first.messages), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(first.head.offset, 10u);
  EXPECT_EQ(first.head.epoch, appended[0].epoch);
  EXPECT_EQ(first.oldest, 1u);
  // Stored fields come back as appended.
  ASSERT_EQ(first.messages.size(), 3u);
  EXPECT_EQ(first.messages[0].dataJson, data(1));
  EXPECT_EQ(first.messages[0].type, "chat");
  EXPECT_EQ(first.messages[0].publisher, "user-1");
  EXPECT_EQ(first.messages[0].timestampMs, appended[0].timestampMs);
  EXPECT_EQ(first.messages[2].dataJson, data(3));

  EXPECT_EQ(offsetsOf(readForward(stream, 5, 3).messages), (std::vector<uint64_t>{5, 6, 7}));
  EXPECT_EQ(offsetsOf(readForward(stream, 8, 50).messages), (std::vector<uint64_t>{8, 9, 10}));
  EXPECT_EQ(offsetsOf(readForward(stream, 10, 50).messages), (std::vector<uint64_t>{10}));
  auto past = readForward(stream, 11, 50);
  EXPECT_TRUE(past.messages.empty());
  EXPECT_EQ(past.head.offset, 10u);
}

TEST_P(HistoryConformance, AReadStopsOnceItsMessagesReachMaxBytes) {
  const auto stream = name("s");
  const std::string padding(100, 'x');
  for (int i = 1; i <= 40; ++i) append(stream, R"({"n":)" + std::to_string(i) + R"(,"p":")" + padding + R"("})");
  const size_t size = readForward(stream, 1, 1).messages.at(0).dataJson.size();
  // Forward and backward: messages until their data reaches the budget, that one included.
  auto forward = read(stream, 0, true, 100, 2 * size + 1);
  EXPECT_EQ(offsetsOf(forward.messages), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(forward.head.offset, 40u) << "the head says more follow";
  auto backward = read(stream, 0, false, 100, 3 * size);
  EXPECT_EQ(offsetsOf(backward.messages), (std::vector<uint64_t>{40, 39, 38}));
  // Always at least one message; the count limit still applies first.
  EXPECT_EQ(offsetsOf(read(stream, 5, true, 100, 1).messages), (std::vector<uint64_t>{5}));
  EXPECT_EQ(read(stream, 0, true, 30, 1000 * size).messages.size(), 30u);
  // Reading on from after the last message returned gets the rest, in order.
  std::vector<uint64_t> all;
  for (uint64_t from = 1; from <= 40;) {
    auto page = read(stream, from, true, 100, 7 * size);
    ASSERT_FALSE(page.messages.empty());
    for (const auto& m : page.messages) all.push_back(m.offset);
    from = page.messages.back().offset + 1;
  }
  EXPECT_EQ(all.size(), 40u);
  EXPECT_EQ(all.back(), 40u);
}

TEST_P(HistoryConformance, ReadBackwardIsNewestFirst) {
  const auto stream = name("s");
  auto appended = appendMany(stream, 10);

  auto newest = readBackward(stream, 0, 3);
  EXPECT_EQ(offsetsOf(newest.messages), (std::vector<uint64_t>{10, 9, 8}));
  EXPECT_EQ(newest.head.offset, 10u);
  EXPECT_EQ(newest.head.epoch, appended[0].epoch);
  EXPECT_EQ(newest.oldest, 1u);
  ASSERT_FALSE(newest.messages.empty());
  EXPECT_EQ(newest.messages[0].dataJson, data(10));

  EXPECT_EQ(offsetsOf(readBackward(stream, 4, 10).messages), (std::vector<uint64_t>{4, 3, 2, 1}));
  EXPECT_EQ(offsetsOf(readBackward(stream, 6, 2).messages), (std::vector<uint64_t>{6, 5}));
  // Beyond the head: everything up to the head, newest first.
  EXPECT_EQ(offsetsOf(readBackward(stream, 100, 2).messages), (std::vector<uint64_t>{10, 9}));
}

TEST_P(HistoryConformance, ReadOnNeverUsedStreamGivesHeadZeroAndTheEpochTheFirstAppendReports) {
  const auto stream = name("fresh");
  auto before = readBackward(stream, 0);
  EXPECT_TRUE(before.messages.empty());
  EXPECT_EQ(before.head.offset, 0u);
  EXPECT_FALSE(before.head.epoch.empty());
  EXPECT_EQ(before.oldest, 1u);  // head + 1 when nothing is retained
  EXPECT_EQ(readForward(stream, 0).head.epoch, before.head.epoch) << "a read must not change the epoch";

  auto first = append(stream, data(1));
  EXPECT_EQ(first.offset, 1u);
  EXPECT_EQ(first.epoch, before.head.epoch);
}

TEST_P(HistoryConformance, SameIdempotencyKeyReturnsOriginalAndStoresNothing) {
  const auto stream = name("s");
  auto original = append(stream, data(1), "key-1");
  append(stream, data(2));
  append(stream, data(3));
  // Let the clock move so a fresh timestamp could not pass for the original one.
  std::this_thread::sleep_for(std::chrono::milliseconds(10));

  auto retry = append(stream, data(1), "key-1");
  EXPECT_TRUE(retry.duplicate);
  EXPECT_FALSE(retry.conflict) << "the same message again is a retry";
  EXPECT_EQ(retry.offset, original.offset);
  EXPECT_EQ(retry.timestampMs, original.timestampMs);
  EXPECT_EQ(retry.epoch, original.epoch);

  auto stored = readForward(stream, 0);
  EXPECT_EQ(stored.head.offset, 3u);
  EXPECT_EQ(offsetsOf(stored.messages), (std::vector<uint64_t>{1, 2, 3}));
  ASSERT_FALSE(stored.messages.empty());
  EXPECT_EQ(stored.messages[0].dataJson, data(1));

  // The stream goes on from its head, not from the duplicate.
  EXPECT_EQ(append(stream, data(4)).offset, 4u);
}

TEST_P(HistoryConformance, DifferentIdempotencyKeysGetNewOffsets) {
  const auto stream = name("s");
  auto a = append(stream, data(1), "key-a");
  auto b = append(stream, data(2), "key-b");
  auto c = append(stream, data(3), "key-c");
  EXPECT_EQ(a.offset, 1u);
  EXPECT_EQ(b.offset, 2u);
  EXPECT_EQ(c.offset, 3u);
  EXPECT_FALSE(a.duplicate || b.duplicate || c.duplicate);
  EXPECT_EQ(readForward(stream, 0).messages.size(), 3u);
}

TEST_P(HistoryConformance, IdempotencyKeyIsPerStream) {
  auto a1 = append(name("a"), data(1));
  auto a2 = append(name("a"), data(2), "shared-key");
  auto b1 = append(name("b"), data(1), "shared-key");
  EXPECT_EQ(a2.offset, 2u);
  EXPECT_FALSE(b1.duplicate);
  EXPECT_EQ(b1.offset, 1u);
  EXPECT_EQ(readForward(name("b"), 0).messages.size(), 1u);
  // And each stream still remembers its own.
  auto a2again = append(name("a"), data(9), "shared-key");
  EXPECT_TRUE(a2again.duplicate);
  EXPECT_EQ(a2again.offset, 2u);
  auto b1again = append(name("b"), data(9), "shared-key");
  EXPECT_TRUE(b1again.duplicate);
  EXPECT_EQ(b1again.offset, 1u);
  (void)a1;
}

TEST_P(HistoryConformance, IdempotencyKeyIsPerPublisher) {
  const auto stream = name("s");
  auto request = [&](const std::string& publisher, int n) {
    auto r = appendRequest(stream, data(n), "shared-key");
    r.publisher = publisher;
    return r;
  };
  auto alice = append(request("alice", 1));
  auto bob = append(request("bob", 2));
  auto server = append(request("", 3));  // the server API is a publisher of its own
  EXPECT_FALSE(alice.duplicate);
  EXPECT_FALSE(bob.duplicate) << "another publisher's key must not swallow this message";
  EXPECT_FALSE(server.duplicate);
  EXPECT_EQ(bob.offset, 2u);
  EXPECT_EQ(server.offset, 3u);
  auto stored = readForward(stream, 0);
  ASSERT_EQ(stored.messages.size(), 3u);
  EXPECT_EQ(stored.messages[1].publisher, "bob");
  EXPECT_EQ(stored.messages[1].dataJson, data(2));
  // Each publisher still has its own key.
  auto aliceAgain = append(request("alice", 1));
  auto bobAgain = append(request("bob", 2));
  auto serverAgain = append(request("", 3));
  EXPECT_TRUE(aliceAgain.duplicate && bobAgain.duplicate && serverAgain.duplicate);
  EXPECT_EQ(aliceAgain.offset, 1u);
  EXPECT_EQ(bobAgain.offset, 2u);
  EXPECT_EQ(serverAgain.offset, 3u);
  EXPECT_EQ(readForward(stream, 0).head.offset, 3u);
}

TEST_P(HistoryConformance, AKeyReusedForAnotherMessageIsAConflict) {
  const auto stream = name("s");
  auto original = append(stream, data(1), "key-1");
  auto otherData = append(stream, data(2), "key-1");
  EXPECT_TRUE(otherData.duplicate);
  EXPECT_TRUE(otherData.conflict) << "a key reused with other data is not a retry";
  EXPECT_EQ(otherData.offset, original.offset);
  auto otherType = appendRequest(stream, data(1), "key-1");
  otherType.type = "not-chat";
  auto typed = append(std::move(otherType));
  EXPECT_TRUE(typed.duplicate);
  EXPECT_TRUE(typed.conflict) << "a key reused with another type is not a retry";
  auto retry = append(stream, data(1), "key-1");
  EXPECT_TRUE(retry.duplicate);
  EXPECT_FALSE(retry.conflict);
  auto stored = readForward(stream, 0);
  EXPECT_EQ(stored.head.offset, 1u) << "a conflicting append stores nothing";
  ASSERT_EQ(stored.messages.size(), 1u);
  EXPECT_EQ(stored.messages[0].dataJson, data(1));
}

TEST_P(HistoryConformance, DuplicateKeysInOneBurstStoreOnce) {
  const auto stream = name("s");
  // Submitted without waiting; each completion is told apart by its own collector.
  Collector<engine::Outcome<AppendResult>> c1, c2, c3;
  engine().history().append(appendRequest(stream, data(1), "k"), c1.callback());
  engine().history().append(appendRequest(stream, data(2), "k"), c2.callback());
  engine().history().append(appendRequest(stream, data(3), "other"), c3.callback());
  auto first = valueOf(c1.waitFor(1)[0], "append 1");
  auto second = valueOf(c2.waitFor(1)[0], "append 2");
  auto third = valueOf(c3.waitFor(1)[0], "append 3");
  EXPECT_EQ(first.offset, 1u);
  EXPECT_FALSE(first.duplicate);
  EXPECT_TRUE(second.duplicate);
  EXPECT_EQ(second.offset, 1u);
  EXPECT_EQ(second.timestampMs, first.timestampMs);
  EXPECT_FALSE(third.duplicate);
  EXPECT_EQ(third.offset, 2u);
  auto stored = readForward(stream, 0);
  EXPECT_EQ(stored.head.offset, 2u);
  ASSERT_EQ(stored.messages.size(), 2u);
  EXPECT_EQ(stored.messages[0].dataJson, data(1));
  EXPECT_EQ(stored.messages[1].dataJson, data(3));
}

TEST_P(HistoryConformance, RetentionKeepsAtMostMaxMessages) {
  const auto stream = name("s");
  Retention retention;
  retention.maxMessages = 5;
  auto appended = appendMany(stream, 12, 1, retention);
  EXPECT_EQ(appended.back().offset, 12u) << "trimming must not reuse offsets";

  auto all = readForward(stream, 0, 100);
  EXPECT_EQ(all.head.offset, 12u);
  EXPECT_EQ(all.oldest, 12u - 5u + 1u);
  EXPECT_EQ(offsetsOf(all.messages), (std::vector<uint64_t>{8, 9, 10, 11, 12}));
  ASSERT_FALSE(all.messages.empty());
  EXPECT_EQ(all.messages[0].dataJson, data(8));

  // Below the oldest retained offset there is nothing.
  EXPECT_TRUE(readBackward(stream, 7, 100).messages.empty());
  EXPECT_TRUE(readBackward(stream, 1, 100).messages.empty());
  EXPECT_EQ(offsetsOf(readForward(stream, 1, 2).messages), (std::vector<uint64_t>{8, 9}));
  EXPECT_EQ(offsetsOf(readBackward(stream, 0, 100).messages), (std::vector<uint64_t>{12, 11, 10, 9, 8}));

  // And it keeps trimming as the stream grows.
  append(stream, data(13), std::nullopt, retention);
  auto later = readForward(stream, 0, 100);
  EXPECT_EQ(later.oldest, 9u);
  EXPECT_EQ(offsetsOf(later.messages), (std::vector<uint64_t>{9, 10, 11, 12, 13}));
}

TEST_P(HistoryConformance, TrimDropsMessagesUpToAnOffsetAndKeepsHeadAndKeys) {
  const auto stream = name("s");
  const auto epoch = append(stream, data(1), "key-1").epoch;
  appendMany(stream, 4, 2);
  trimStream(stream, epoch, 3);

  auto after = readForward(stream, 0, 100);
  EXPECT_EQ(after.head.offset, 5u);
  EXPECT_EQ(after.head.epoch, epoch);
  EXPECT_EQ(after.oldest, 4u);
  EXPECT_EQ(offsetsOf(after.messages), (std::vector<uint64_t>{4, 5}));
  EXPECT_TRUE(readForward(stream, 1, 100).messages.size() == 2u) << "nothing below the oldest";
  EXPECT_TRUE(append(stream, data(1), "key-1").duplicate) << "trim keeps idempotency keys";
  EXPECT_EQ(append(stream, data(6)).offset, 6u) << "trim must not reuse offsets";

  // Trimming everything leaves an empty log that goes on from its head.
  trimStream(stream, epoch, 6);
  auto empty = readForward(stream, 0, 100);
  EXPECT_TRUE(empty.messages.empty());
  EXPECT_EQ(empty.head.offset, 6u);
  EXPECT_EQ(empty.oldest, 7u);
  EXPECT_EQ(append(stream, data(7)).offset, 7u);
}

TEST_P(HistoryConformance, TrimOfAnotherEpochDropsNothing) {
  const auto stream = name("s");
  const auto old = appendMany(stream, 2);
  removeStream(stream);
  appendMany(stream, 3);
  trimStream(stream, old[0].epoch, 2);  // the offsets of the stream's former life
  EXPECT_EQ(offsetsOf(readForward(stream, 0, 100).messages), (std::vector<uint64_t>{1, 2, 3}));
  trimStream(name("never-used"), old[0].epoch, 5);
  EXPECT_EQ(append(name("never-used"), data(1)).offset, 1u);
}

TEST_P(HistoryConformance, TtlExpiresMessagesAndIdempotencyKeys) {
  const auto expiring = name("expiring");
  const auto keyed = name("keyed");
  Retention shortTtl;
  shortTtl.ttlSeconds = 1;
  Retention shortKeys;
  shortKeys.idempotencySeconds = 1;
  append(expiring, data(1), std::nullopt, shortTtl);
  append(keyed, data(1), "k", shortKeys);
  EXPECT_EQ(readForward(expiring, 0).messages.size(), 1u) << "expired too early";
  EXPECT_TRUE(append(keyed, data(2), "k", shortKeys).duplicate) << "key forgotten too early";

  std::this_thread::sleep_for(std::chrono::milliseconds(1300));

  auto expired = readForward(expiring, 0);
  EXPECT_TRUE(expired.messages.empty());
  EXPECT_EQ(expired.head.offset, 1u) << "expiry must not move the head";
  EXPECT_EQ(expired.oldest, 2u);
  EXPECT_EQ(append(expiring, data(2), std::nullopt, shortTtl).offset, 2u);

  auto afterWindow = append(keyed, data(3), "k", shortKeys);
  EXPECT_FALSE(afterWindow.duplicate) << "a key outside the idempotency window must not deduplicate";
  EXPECT_EQ(afterWindow.offset, 2u);
}

TEST_P(HistoryConformance, RemoveStartsANewEpochAtOffsetOne) {
  const auto stream = name("s");
  auto old = append(stream, data(1), "key-1");
  append(stream, data(2));
  append(stream, data(3));
  removeStream(stream);

  auto fresh = append(stream, data(1), "key-1");
  EXPECT_EQ(fresh.offset, 1u);
  EXPECT_FALSE(fresh.duplicate) << "remove() must delete the stream's idempotency keys";
  EXPECT_FALSE(fresh.epoch.empty());
  EXPECT_NE(fresh.epoch, old.epoch);

  auto stored = readForward(stream, 0);
  EXPECT_EQ(stored.head.offset, 1u);
  EXPECT_EQ(stored.head.epoch, fresh.epoch);
  EXPECT_EQ(offsetsOf(stored.messages), (std::vector<uint64_t>{1}));
}

TEST_P(HistoryConformance, ReadAfterRemoveShowsTheNewEmptyEpoch) {
  const auto stream = name("s");
  auto old = appendMany(stream, 3);
  removeStream(stream);
  auto empty = readBackward(stream, 0);
  EXPECT_TRUE(empty.messages.empty());
  EXPECT_EQ(empty.head.offset, 0u);
  EXPECT_NE(empty.head.epoch, old[0].epoch);
  EXPECT_EQ(append(stream, data(1)).epoch, empty.head.epoch);
}

TEST_P(HistoryConformance, RemoveOfUnknownStreamSucceeds) {
  removeStream(name("never-used"));
  EXPECT_EQ(append(name("never-used"), data(1)).offset, 1u);
}

TEST_P(HistoryConformance, CompletionsRunOffTheCallingThread) {
  auto caller = std::this_thread::get_id();
  auto thread = awaitCompletion<std::thread::id>(
      [&](auto done) {
        engine().history().append(appendRequest(name("s"), data(1)),
                                  [done](engine::Outcome<AppendResult>) { done(std::this_thread::get_id()); });
      },
      "append");
  EXPECT_NE(thread, caller);
}

TEST_P(HistoryConformance, StateSurvivesRestart) {
  const auto stream = name("s");
  std::vector<AppendResult> before;
  for (int i = 1; i <= 20; ++i) before.push_back(append(stream, data(i), "key-" + std::to_string(i)));
  const auto readOnly = name("read-only");
  auto readOnlyEpoch = readForward(readOnly, 0).head.epoch;
  auto storedBefore = readForward(stream, 0, 100);

  restart();

  auto after = readForward(stream, 0, 100);
  EXPECT_EQ(after.head.offset, 20u);
  EXPECT_EQ(after.head.epoch, before[0].epoch);
  EXPECT_EQ(after.oldest, 1u);
  ASSERT_EQ(after.messages.size(), 20u);
  for (size_t i = 0; i < 20; ++i) {
    EXPECT_EQ(after.messages[i].offset, i + 1);
    EXPECT_EQ(after.messages[i].dataJson, storedBefore.messages[i].dataJson);
    EXPECT_EQ(after.messages[i].timestampMs, before[i].timestampMs);
    EXPECT_EQ(after.messages[i].publisher, "user-1");
    EXPECT_EQ(after.messages[i].type, "chat");
  }
  // A stream that was only read keeps its epoch too.
  EXPECT_EQ(readForward(readOnly, 0).head.epoch, readOnlyEpoch);

  auto retried = append(stream, data(5), "key-5");
  EXPECT_TRUE(retried.duplicate);
  EXPECT_FALSE(retried.conflict);
  EXPECT_EQ(retried.offset, 5u);
  EXPECT_EQ(retried.timestampMs, before[4].timestampMs);
  EXPECT_TRUE(append(stream, R"({"n":"other"})", "key-5").conflict) << "what a key guards must survive a restart";

  auto next = append(stream, data(21));
  EXPECT_EQ(next.offset, 21u);
  EXPECT_EQ(next.epoch, before[0].epoch);
}

TEST_P(HistoryConformance, RemoveSurvivesRestart) {
  const auto stream = name("s");
  auto old = appendMany(stream, 3);
  removeStream(stream);
  restart();
  auto after = readForward(stream, 0);
  EXPECT_TRUE(after.messages.empty());
  EXPECT_EQ(after.head.offset, 0u);
  EXPECT_NE(after.head.epoch, old[0].epoch);
  EXPECT_EQ(append(stream, data(1)).offset, 1u);
}

TEST_P(HistoryConformance, RetentionTrimSurvivesRestart) {
  const auto stream = name("s");
  Retention retention;
  retention.maxMessages = 3;
  appendMany(stream, 7, 1, retention);
  restart();
  auto after = readForward(stream, 0);
  EXPECT_EQ(after.head.offset, 7u);
  EXPECT_EQ(after.oldest, 5u);
  EXPECT_EQ(offsetsOf(after.messages), (std::vector<uint64_t>{5, 6, 7}));
  EXPECT_EQ(append(stream, data(8), std::nullopt, retention).offset, 8u);
}

ONAIR_INSTANTIATE_CONFORMANCE(HistoryConformance);

}  // namespace
}  // namespace onair::conformance
