#include "rooms/SnapshotCursor.hpp"

#include <gtest/gtest.h>

#include "rooms/MemberCursor.hpp"

using onair::rooms::MemberCursor;
using onair::rooms::SnapshotCursor;

TEST(SnapshotCursor, RoundTripsWithAndWithoutMembersLeft) {
  auto c = SnapshotCursor::decode(SnapshotCursor{42, 17, 3, "e9f"}.encode());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->membersAfter, 42u);
  EXPECT_EQ(c->messagesFrom, 17u);
  EXPECT_EQ(c->messagesLeft, 3u);
  EXPECT_EQ(c->epoch, "e9f");
  auto done = SnapshotCursor::decode(SnapshotCursor{std::nullopt, 5, 1, "e9f"}.encode());
  ASSERT_TRUE(done);
  EXPECT_FALSE(done->membersAfter);
  EXPECT_EQ(done->messagesFrom, 5u);
}

TEST(SnapshotCursor, RejectsWhatItDidNotMake) {
  EXPECT_FALSE(SnapshotCursor::decode(""));
  EXPECT_FALSE(SnapshotCursor::decode(MemberCursor{7}.encode()));
  EXPECT_FALSE(SnapshotCursor::decode(SnapshotCursor{1, 2, 3, ""}.encode()));                   // no epoch
  EXPECT_FALSE(SnapshotCursor::decode(SnapshotCursor{1, 2, 3, std::string(33, 'e')}.encode()));  // epoch too long
}
