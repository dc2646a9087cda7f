#include "api/QueryArgs.hpp"

#include <gtest/gtest.h>

namespace onair::api {
namespace {

TEST(QueryArgs, NamedIntegerKeysBecomeNumbers) {
  auto args = QueryArgs::parse("contextId=c%3A1&skip=5&limit=x&sortOrder=asc", {"skip", "limit"});
  ASSERT_TRUE(args);
  EXPECT_EQ(args->at("contextId").as_string(), "c:1");
  EXPECT_EQ(args->at("skip").as_int64(), 5);
  EXPECT_EQ(args->at("limit").as_string(), "x");  // not a number: left for ArgReader to refuse
  EXPECT_EQ(QueryArgs::parse("skip=5")->at("skip").as_string(), "5");  // only `limit` by default
  EXPECT_TRUE(QueryArgs::parse("")->empty());
  EXPECT_EQ(QueryArgs::parse("a=1&&b=2")->size(), 2u);
}

TEST(QueryArgs, AMalformedQueryIsRefusedWhole) {
  EXPECT_FALSE(QueryArgs::parse("limit=5&cursor=%zz"));  // not "limit 5, cursor dropped"
  EXPECT_FALSE(QueryArgs::parse("limit=5%"));
  EXPECT_FALSE(QueryArgs::parse("a=%4"));
  EXPECT_EQ(QueryArgs::parse("cursor=a%7Cb&limit=5")->at("cursor").as_string(), "a|b");
}

TEST(QueryArgs, BytesBrowsersLeaveUnencodedAreTakenAsTheyAre) {
  auto args = QueryArgs::parse("ids[]=1&x=a|b{c}^`\\&name=\xC3\xA9&q=\"1 2\"#f");
  ASSERT_TRUE(args);
  EXPECT_EQ(args->at("ids[]").as_string(), "1");
  EXPECT_EQ(args->at("x").as_string(), "a|b{c}^`\\");
  EXPECT_EQ(args->at("name").as_string(), "\xC3\xA9");
  EXPECT_EQ(args->at("q").as_string(), "\"1 2\"#f");
  EXPECT_EQ(QueryArgs::parse("a=1+2")->at("a").as_string(), "1 2");  // '+' is a space, as forms send it
}

TEST(QueryArgs, SegmentsAreDecodedAfterTheSkipped) {
  EXPECT_EQ(QueryArgs::segments("/v1/rooms/a%3Ab/x", 2), (std::vector<std::string>{"a:b", "x"}));
  EXPECT_TRUE(QueryArgs::segments("/v1/rooms", 2).empty());
}

}  // namespace
}  // namespace onair::api
