#include "rooms/MemberCursor.hpp"

#include <gtest/gtest.h>

#include "rooms/Cursor.hpp"

using onair::rooms::Cursor;
using onair::rooms::MemberCursor;

TEST(MemberCursor, RoundTrips) {
  auto c = MemberCursor::decode(MemberCursor{1733300000123456}.encode());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->after, 1733300000123456u);
}

TEST(MemberCursor, RejectsWhatItDidNotMake) {
  EXPECT_FALSE(MemberCursor::decode(""));
  EXPECT_FALSE(MemberCursor::decode("not base64!"));
  EXPECT_FALSE(MemberCursor::decode(Cursor{5, false, "e1"}.encode()));  // a history cursor
  EXPECT_FALSE(MemberCursor::decode(std::string(65, 'A')));
}
