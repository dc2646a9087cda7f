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
  EXPECT_FALSE(QueryArgs::parse("a=\"b\""));
  EXPECT_TRUE(QueryArgs::parse("cursor=a%7Cb&limit=5"));
}

TEST(QueryArgs, SegmentsAreDecodedAfterTheSkipped) {
  EXPECT_EQ(QueryArgs::segments("/v1/rooms/a%3Ab/x", 2), (std::vector<std::string>{"a:b", "x"}));
  EXPECT_TRUE(QueryArgs::segments("/v1/rooms", 2).empty());
}

}  // namespace
}  // namespace onair::api
