#include "api/QueryArgs.hpp"

#include <gtest/gtest.h>

namespace onair::api {
namespace {

TEST(QueryArgs, NamedIntegerKeysBecomeNumbers) {
  auto args = QueryArgs::parse("contextId=c%3A1&skip=5&limit=x&sortOrder=asc", {"skip", "limit"});
  EXPECT_EQ(args.at("contextId").as_string(), "c:1");
  EXPECT_EQ(args.at("skip").as_int64(), 5);
  EXPECT_EQ(args.at("limit").as_string(), "x");  // not a number: left for ArgReader to refuse
  EXPECT_EQ(QueryArgs::parse("skip=5").at("skip").as_string(), "5");  // only `limit` by default
}

TEST(QueryArgs, SegmentsAreDecodedAfterTheSkipped) {
  EXPECT_EQ(QueryArgs::segments("/v1/rooms/a%3Ab/x", 2), (std::vector<std::string>{"a:b", "x"}));
  EXPECT_TRUE(QueryArgs::segments("/v1/rooms", 2).empty());
}

}  // namespace
}  // namespace onair::api
