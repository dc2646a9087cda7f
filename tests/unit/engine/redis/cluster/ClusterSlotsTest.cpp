#include "engine/redis/cluster/ClusterSlots.hpp"

#include <gtest/gtest.h>

#include "engine/redis/RespReader.hpp"

using namespace onair::engine::redis;
using onair::engine::redis::cluster::ClusterSlots;

namespace {

RedisReply node(const std::string& host, int64_t port, const std::string& id = "") {
  std::vector<RedisReply> parts{RedisReply::bulk(host), RedisReply::integer(port)};
  if (!id.empty()) parts.push_back(RedisReply::bulk(id));
  parts.push_back(RedisReply::array({}));  // Redis 7's metadata
  return RedisReply::array(std::move(parts));
}

RedisReply range(int64_t first, int64_t last, std::vector<RedisReply> nodes) {
  std::vector<RedisReply> parts{RedisReply::integer(first), RedisReply::integer(last)};
  for (auto& n : nodes) parts.push_back(std::move(n));
  return RedisReply::array(std::move(parts));
}

ClusterSlots parsed(const RedisReply& reply) {
  auto result = ClusterSlots::parse(reply, "10.0.0.9");
  if (auto* error = std::get_if<std::string>(&result)) ADD_FAILURE() << *error;
  return std::holds_alternative<ClusterSlots>(result) ? std::get<ClusterSlots>(result) : ClusterSlots{};
}

std::string refused(const RedisReply& reply) {
  auto result = ClusterSlots::parse(reply, "10.0.0.9");
  if (std::holds_alternative<ClusterSlots>(result)) {
    ADD_FAILURE() << "accepted";
    return {};
  }
  return std::get<std::string>(result);
}

}  // namespace

TEST(ClusterSlots, MapsEverySlotToItsMaster) {
  const auto slots = parsed(RedisReply::array({
      range(0, 5460, {node("127.0.0.1", 7000, "a"), node("127.0.0.1", 7003, "d")}),
      range(5461, 10922, {node("127.0.0.1", 7001, "b"), node("127.0.0.1", 7004, "e")}),
      range(10923, 16383, {node("127.0.0.1", 7002, "c")}),
  }));
  EXPECT_EQ(slots.coverage(), 16384u);
  ASSERT_NE(slots.masterOf(0), nullptr);
  EXPECT_EQ(slots.masterOf(0)->port, 7000);
  EXPECT_EQ(slots.masterOf(0)->id, "a");
  EXPECT_EQ(slots.masterOf(5460)->port, 7000);
  EXPECT_EQ(slots.masterOf(5461)->port, 7001);
  EXPECT_EQ(slots.masterOf(16383)->address(), "127.0.0.1:7002");
  EXPECT_EQ(slots.masterOf(16384), nullptr);
  ASSERT_EQ(slots.masters().size(), 3u);
  EXPECT_EQ(slots.nodes().size(), 5u);
}

TEST(ClusterSlots, ReadsARealReplyThroughRespReader) {
  // What redis-server 7.0 sent for a one-range cluster (host, port, id, empty metadata).
  const std::string resp =
      "*1\r\n*4\r\n:0\r\n:16383\r\n"
      "*4\r\n$9\r\n127.0.0.1\r\n:30001\r\n$40\r\n1b2ae792d579a315867466594f9535d66a2af5dc\r\n*0\r\n"
      "*4\r\n$9\r\n127.0.0.1\r\n:30004\r\n$40\r\n0b78802a86c18f3af68fd0ea6addb9a1be487520\r\n*0\r\n";
  RespReader reader;
  reader.feed(resp);
  RedisReply reply;
  ASSERT_EQ(reader.next(reply), RespReader::Status::Reply);
  const auto slots = parsed(reply);
  EXPECT_EQ(slots.coverage(), 16384u);
  EXPECT_EQ(slots.masterOf(42)->port, 30001);
  EXPECT_EQ(slots.masterOf(42)->id, "1b2ae792d579a315867466594f9535d66a2af5dc");
  EXPECT_EQ(slots.nodes().back().port, 30004);
}

TEST(ClusterSlots, FillsEmptyHostsAndSkipsUnknownEndpoints) {
  const auto slots = parsed(RedisReply::array({
      range(0, 99, {node("", 7000)}),
      range(100, 199, {node("?", 7001), node("127.0.0.1", 7004)}),
  }));
  EXPECT_EQ(slots.masterOf(5)->host, "10.0.0.9");
  EXPECT_EQ(slots.masterOf(150), nullptr);
  EXPECT_EQ(slots.masterOf(500), nullptr);
  EXPECT_EQ(slots.coverage(), 100u);
}

TEST(ClusterSlots, AssignFollowsAMoved) {
  auto slots = parsed(RedisReply::array({range(0, 16383, {node("127.0.0.1", 7000)})}));
  auto before = slots;
  EXPECT_TRUE(slots.sameOwners(before));
  slots.assign(12182, {"127.0.0.1", 7001, {}});
  EXPECT_EQ(slots.masterOf(12182)->port, 7001);
  EXPECT_EQ(slots.masterOf(12181)->port, 7000);
  EXPECT_EQ(slots.masters().size(), 2u);
  EXPECT_FALSE(slots.sameOwners(before));
}

TEST(ClusterSlots, RefusesMalformedReplies) {
  EXPECT_NE(refused(RedisReply::status("OK")), "");
  EXPECT_NE(refused(RedisReply::array({RedisReply::integer(1)})), "");
  EXPECT_NE(refused(RedisReply::array({range(0, 16384, {node("h", 1)})})), "");
  EXPECT_NE(refused(RedisReply::array({range(-1, 5, {node("h", 1)})})), "");
  EXPECT_NE(refused(RedisReply::array({range(9, 5, {node("h", 1)})})), "");
  EXPECT_NE(refused(RedisReply::array({range(0, 5, {node("h", 0)})})), "");
  EXPECT_NE(refused(RedisReply::array({range(0, 5, {node("h", 65536)})})), "");
  EXPECT_NE(refused(RedisReply::array({range(0, 5, {RedisReply::array({RedisReply::bulk("h")})})})), "");
  EXPECT_NE(refused(RedisReply::array({range(0, 5, {node(std::string(300, 'h'), 1)})})), "");
  EXPECT_NE(refused(RedisReply::array({range(0, 5, {node("h", 1)}), range(5, 9, {node("h", 2)})})), "");
  std::vector<RedisReply> replicas(ClusterSlots::kMaxReplicas + 2, node("h", 1));
  EXPECT_NE(refused(RedisReply::array({range(0, 5, std::move(replicas))})), "");
}

TEST(ClusterSlots, AcceptsAnEmptyMap) {
  const auto slots = parsed(RedisReply::array({}));
  EXPECT_EQ(slots.coverage(), 0u);
  EXPECT_TRUE(slots.masters().empty());
}
