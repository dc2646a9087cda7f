#include "collab/RoomScope.hpp"

#include <gtest/gtest.h>

#include "auth/GrantSet.hpp"

using namespace onair::collab;
using onair::auth::GrantSet;

namespace {

GrantSet grants(std::vector<std::string> texts) {
  std::string error;
  auto g = GrantSet::fromStrings(texts, error);
  EXPECT_TRUE(g) << error;
  return g ? *g : GrantSet();
}

}  // namespace

TEST(CollabRoomScope, ReadWriteGrantGivesReadWrite) {
  EXPECT_EQ(RoomScope::of(grants({"collab:doc_*:read-write"}), "doc_1"), "read-write");
}

TEST(CollabRoomScope, ReadonlyGrantGivesReadonly) {
  EXPECT_EQ(RoomScope::of(grants({"collab:doc_*:readonly"}), "doc_1"), "readonly");
}

TEST(CollabRoomScope, ReadWriteWinsWhenBothMatch) {
  EXPECT_EQ(RoomScope::of(grants({"collab:*:readonly", "collab:doc_1:read-write"}), "doc_1"), "read-write");
  EXPECT_EQ(RoomScope::of(grants({"collab:doc_*:readonly,read-write"}), "doc_1"), "read-write");
  EXPECT_EQ(RoomScope::of(grants({"collab:*:*"}), "doc_1"), "read-write");
}

TEST(CollabRoomScope, PatternsDecidePerRoom) {
  auto g = grants({"collab:team:*:read-write", "collab:public_*:readonly"});
  EXPECT_EQ(RoomScope::of(g, "team:notes"), "read-write");
  EXPECT_EQ(RoomScope::of(g, "public_board"), "readonly");
  EXPECT_EQ(RoomScope::of(g, "private_board"), std::nullopt);
}

TEST(CollabRoomScope, OtherSurfacesGiveNothing) {
  EXPECT_EQ(RoomScope::of(grants({"room:*:*", "channel:*:*"}), "doc_1"), std::nullopt);
  EXPECT_EQ(RoomScope::of(GrantSet(), "doc_1"), std::nullopt);
}
