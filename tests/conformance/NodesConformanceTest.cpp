// Nodes contract (engine/Nodes.hpp), run against every engine; the tests with a second node run
// where the factory can make one (makeNodePeer: Redis).
#include <thread>

#include "ConformanceFixture.hpp"

namespace onair::conformance {
namespace {

class NodesConformance : public EngineConformance {
 protected:
  static void announce(engine::Nodes& nodes, const std::string& address, const std::string& statsJson) {
    valueOf(awaitCompletion<engine::Outcome<engine::Done>>(
                [&](auto done) { nodes.announce({address, 1700000000000, statsJson}, std::move(done)); }, "announce"),
            "announce");
  }
  static std::vector<engine::NodeRecord> list(engine::Nodes& nodes) {
    return valueOf(awaitCompletion<engine::Outcome<std::vector<engine::NodeRecord>>>(
                       [&](auto done) { nodes.list(std::move(done)); }, "nodes list"),
                   "nodes list");
  }
  static void leave(engine::Nodes& nodes) {
    valueOf(awaitCompletion<engine::Outcome<engine::Done>>([&](auto done) { nodes.leave(std::move(done)); }, "leave"),
            "leave");
  }
  static std::vector<std::string> idsOf(const std::vector<engine::NodeRecord>& records) {
    std::vector<std::string> ids;
    for (const auto& r : records) ids.push_back(r.id);
    return ids;
  }

  // A second node on this test's shared state, or nullptr (the test is then skipped).
  std::unique_ptr<engine::Engine> peer(const std::string& nodeId, int64_t ttlMs) {
    if (!GetParam().makeNodePeer) return nullptr;
    return GetParam().makeNodePeer(dataDir(), nodeId, ttlMs);
  }
};

using Ids = std::vector<std::string>;

TEST_P(NodesConformance, NothingIsListedBeforeAnnouncing) { EXPECT_TRUE(list(engine().nodes()).empty()); }

TEST_P(NodesConformance, AnnouncedNodeIsListedWithItsRecord) {
  auto& nodes = engine().nodes();
  ASSERT_FALSE(nodes.selfId().empty());
  EXPECT_GT(nodes.ttlMs(), 0);
  EXPECT_GT(nodes.refreshIntervalMs(), 0);
  EXPECT_LE(nodes.refreshIntervalMs() * 3, nodes.ttlMs());
  announce(nodes, "10.0.0.1:7880", R"({"connections":3})");

  auto records = list(nodes);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].id, nodes.selfId());
  EXPECT_EQ(records[0].address, "10.0.0.1:7880");
  EXPECT_EQ(records[0].startedAtMs, 1700000000000);
  EXPECT_EQ(records[0].statsJson, R"({"connections":3})");
}

TEST_P(NodesConformance, AnnouncingAgainReplacesTheStats) {
  auto& nodes = engine().nodes();
  announce(nodes, "a:1", R"({"connections":1})");
  announce(nodes, "a:1", R"({"connections":2})");
  auto records = list(nodes);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].statsJson, R"({"connections":2})");
}

TEST_P(NodesConformance, LeaveRemovesTheNodeAndIsIdempotent) {
  auto& nodes = engine().nodes();
  announce(nodes, "a:1", "{}");
  leave(nodes);
  EXPECT_TRUE(list(nodes).empty());
  leave(nodes);
  announce(nodes, "a:1", "{}");
  EXPECT_EQ(idsOf(list(nodes)), (Ids{nodes.selfId()}));
}

TEST_P(NodesConformance, EveryNodeListsEveryLiveNodeSortedById) {
  auto a = peer("node-a", 30000);
  if (!a) GTEST_SKIP() << "a single-process engine";
  auto b = peer("node-b", 30000);
  announce(b->nodes(), "b:2", R"({"rooms":2})");
  announce(a->nodes(), "a:1", R"({"rooms":1})");
  EXPECT_EQ(idsOf(list(engine().nodes())), (Ids{"node-a", "node-b"}));
  auto seenByA = list(a->nodes());
  ASSERT_EQ(idsOf(seenByA), (Ids{"node-a", "node-b"}));
  EXPECT_EQ(seenByA[1].address, "b:2");
  EXPECT_EQ(seenByA[1].statsJson, R"({"rooms":2})");

  leave(b->nodes());  // a graceful stop: gone at once
  EXPECT_EQ(idsOf(list(a->nodes())), (Ids{"node-a"}));
  a->stop();
  b->stop();
}

TEST_P(NodesConformance, NodeDestroyedWithoutLeavingDropsOutWithinItsTtl) {
  constexpr int64_t kTtlMs = 300;
  auto crashed = peer("node-crashed", kTtlMs);
  if (!crashed) GTEST_SKIP() << "a single-process engine";
  auto& nodes = engine().nodes();
  announce(nodes, "self:1", "{}");
  announce(crashed->nodes(), "crashed:1", "{}");
  EXPECT_EQ(list(nodes).size(), 2u);
  crashed->stop();
  crashed.reset();  // no leave(): as after kill -9

  // Bounded poll: the record must lapse once the TTL has passed (with a generous margin).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kTtlMs * 10);
  std::vector<std::string> ids = idsOf(list(nodes));
  while (ids.size() > 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ids = idsOf(list(nodes));
  }
  EXPECT_EQ(ids, (Ids{nodes.selfId()}));
}

}  // namespace

ONAIR_INSTANTIATE_CONFORMANCE(NodesConformance);

}  // namespace onair::conformance
