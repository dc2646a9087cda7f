#include "relay/OwnerKey.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <string>
#include <vector>

namespace onair::relay {
namespace {

namespace json = boost::json;

std::optional<std::string> keyOf(std::string_view op, std::string_view argsJson) {
  auto object = OwnerKey::of(op, json::parse(argsJson).as_object());
  return object ? std::optional<std::string>(object->key) : std::nullopt;
}

TEST(OwnerKey, AnObjectExistsByTheRecordsOfItsStageOrRoom) {
  auto stage = OwnerKey::of("stage.open", json::parse(R"({"stageId":"st_abc"})").as_object());
  ASSERT_TRUE(stage);
  EXPECT_EQ(stage->records, (std::vector<std::string>{"stage:st_abc", "streamroom:sr_abc"}));
  auto room = OwnerKey::of("streams.joinStreamRoom", json::parse(R"({"streamRoomId":"sr_abc"})").as_object());
  ASSERT_TRUE(room);
  EXPECT_EQ(room->key, stage->key);
  EXPECT_EQ(room->records, (std::vector<std::string>{"streamroom:sr_abc", "stage:st_abc"}));
  auto plain = OwnerKey::of("streams.joinStreamRoom", json::parse(R"({"streamRoomId":"room-7"})").as_object());
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->records, (std::vector<std::string>{"streamroom:room-7"}));
}

TEST(OwnerKey, ServerApiPathsNameTheirStageOrRoom) {
  EXPECT_EQ(OwnerKey::ofPath("/v1/stages/st_abc")->key, "media:sr_abc");
  EXPECT_EQ(OwnerKey::ofPath("/v1/stages/st_abc/participants/p_1/disconnect")->key, "media:sr_abc");
  EXPECT_EQ(OwnerKey::ofPath("/v1/streams/rooms/room-7")->key, "media:room-7");
  for (const char* path : {"/v1/stages", "/v1/stages/", "/v1/stages//participants", "/v1/streams/rooms", "/v1/streams/rooms/",
                           "/v1/rooms/x", "/v1/stagesx/y", "/healthz"}) {
    EXPECT_FALSE(OwnerKey::ofPath(path)) << path;
  }
  EXPECT_FALSE(OwnerKey::ofPath("/v1/stages/" + std::string(65, 'x')));
  EXPECT_TRUE(OwnerKey::ofPath("/v1/stages/" + std::string(64, 'x')));
}

TEST(OwnerKey, StageOpsNameTheStagesMediaRoom) {
  for (const char* op : {"stage.open", "stage.join", "stage.leave", "stage.requestAccess", "stage.grantAccess", "stage.kick",
                         "stage.participants", "stage.setSubscribeType"}) {
    SCOPED_TRACE(op);
    EXPECT_EQ(keyOf(op, R"({"stageId":"st_abc123"})"), "media:sr_abc123");
  }
}

TEST(OwnerKey, DemoStagesKeepTheirWholeIdInTheKey) {
  EXPECT_EQ(keyOf("stage.join", R"({"stageId":"demo_x1"})"), "media:sr_demo_x1");
  EXPECT_EQ(keyOf("stage.join", R"({"stageId":"plain"})"), "media:sr_plain");
}

TEST(OwnerKey, StreamOpsNameTheirRoom) {
  for (const char* op : {"streams.getStreamRoom", "streams.updateStreamRoom", "streams.deleteStreamRoom", "streams.joinStreamRoom",
                         "streams.leaveStreamRoom", "streams.publish", "streams.unpublish", "streams.listStreams",
                         "streams.setQuality", "streams.subscribe"}) {
    SCOPED_TRACE(op);
    EXPECT_EQ(keyOf(op, R"({"streamRoomId":"room-7","other":1})"), "media:room-7");
  }
}

TEST(OwnerKey, AStageAndItsMediaRoomShareOneKey) {
  const auto stage = keyOf("stage.join", R"({"stageId":"st_q9"})");
  ASSERT_TRUE(stage.has_value());
  EXPECT_EQ(keyOf("streams.publish", R"({"streamRoomId":"sr_q9"})"), stage);
  EXPECT_EQ(keyOf("streams.subscribe", R"({"streamRoomId":"sr_demo_z"})"), keyOf("stage.open", R"({"stageId":"demo_z"})"));
  EXPECT_NE(keyOf("streams.publish", R"({"streamRoomId":"sr_other"})"), stage);
}

TEST(OwnerKey, OpsOfOtherSurfacesNameNothing) {
  for (const char* op : {"rooms.join", "rooms.publish", "channels.subscribe", "live.publish", "live.subscribe", "collab.open",
                         "auth.refresh", "stage", "streams", "Stage.join", "xstage.join"}) {
    SCOPED_TRACE(op);
    EXPECT_EQ(keyOf(op, R"({"stageId":"st_a","streamRoomId":"sr_a","roomId":"r"})"), std::nullopt);
  }
}

TEST(OwnerKey, CreatingAndListingStreamRoomsNameNothing) {
  EXPECT_EQ(keyOf("streams.createStreamRoom", R"({"contextId":"ctx","users":["u1"],"managers":[]})"), std::nullopt);
  EXPECT_EQ(keyOf("streams.listStreamRooms", R"({"contextId":"ctx"})"), std::nullopt);
  EXPECT_EQ(keyOf("streams.listStreamRooms", "{}"), std::nullopt);
}

TEST(OwnerKey, TheWrongIdArgNamesNothing) {
  EXPECT_EQ(keyOf("stage.join", R"({"streamRoomId":"sr_a"})"), std::nullopt);
  EXPECT_EQ(keyOf("streams.publish", R"({"stageId":"st_a"})"), std::nullopt);
  EXPECT_EQ(keyOf("stage.join", "{}"), std::nullopt);
}

TEST(OwnerKey, IdsThatAreNotShortStringsNameNothing) {
  for (const char* id : {R"(7)", R"(null)", R"(true)", R"(["st_a"])", R"({"id":"st_a"})", R"("")"}) {
    SCOPED_TRACE(id);
    EXPECT_EQ(keyOf("stage.join", std::string(R"({"stageId":)") + id + "}"), std::nullopt);
    EXPECT_EQ(keyOf("streams.publish", std::string(R"({"streamRoomId":)") + id + "}"), std::nullopt);
  }
}

TEST(OwnerKey, IdsOfUpTo64BytesNameTheirObjectAndLongerOnesNothing) {
  const std::string longest(64, 'a');
  const std::string tooLong(65, 'a');
  EXPECT_EQ(keyOf("streams.publish", R"({"streamRoomId":")" + longest + R"("})"), "media:" + longest);
  EXPECT_EQ(keyOf("stage.join", R"({"stageId":")" + longest + R"("})"), "media:sr_" + longest);
  EXPECT_EQ(keyOf("streams.publish", R"({"streamRoomId":")" + tooLong + R"("})"), std::nullopt);
  EXPECT_EQ(keyOf("stage.join", R"({"stageId":")" + tooLong + R"("})"), std::nullopt);
}

}  // namespace
}  // namespace onair::relay
