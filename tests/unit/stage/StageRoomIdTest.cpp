#include "stage/StageRoomId.hpp"

#include <gtest/gtest.h>

namespace onair::stage {
namespace {

TEST(StageRoomId, ServerApiStagesSwapTheirPrefix) {
  EXPECT_EQ(StageRoomId::roomOf("st_abc123def"), "sr_abc123def");
  EXPECT_EQ(StageRoomId::stageOf("sr_abc123def"), "st_abc123def");
}

TEST(StageRoomId, DemoStagesKeepTheirWholeId) {
  EXPECT_EQ(StageRoomId::roomOf("demo_x1"), "sr_demo_x1");
  EXPECT_EQ(StageRoomId::stageOf("sr_demo_x1"), "demo_x1");
}

TEST(StageRoomId, IdsOfOtherShapesNameNoStage) {
  EXPECT_EQ(StageRoomId::stageOf("room-1"), std::nullopt);
  EXPECT_EQ(StageRoomId::stageOf("sr_"), std::nullopt);
  EXPECT_EQ(StageRoomId::stageOf("sr_demo_"), std::nullopt);
  EXPECT_EQ(StageRoomId::stageOf("st_abc"), std::nullopt);
}

}  // namespace
}  // namespace onair::stage
