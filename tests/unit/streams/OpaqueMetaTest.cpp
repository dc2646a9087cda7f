#include "streams/OpaqueMeta.hpp"

#include <gtest/gtest.h>

namespace onair::streams {
namespace {

TEST(OpaqueMeta, DecodedSizeCountsBytesWithoutPadding) {
  EXPECT_EQ(OpaqueMeta::decodedSize(""), 0u);
  EXPECT_EQ(OpaqueMeta::decodedSize("YQ=="), 1u);
  EXPECT_EQ(OpaqueMeta::decodedSize("YWI="), 2u);
  EXPECT_EQ(OpaqueMeta::decodedSize("YWJj"), 3u);
  EXPECT_EQ(OpaqueMeta::decodedSize("+/+/"), 3u);
}

TEST(OpaqueMeta, RefusesWhatIsNotPaddedStandardBase64) {
  EXPECT_FALSE(OpaqueMeta::decodedSize("YQ"));        // unpadded
  EXPECT_FALSE(OpaqueMeta::decodedSize("-_-_"));      // base64url alphabet
  EXPECT_FALSE(OpaqueMeta::decodedSize("YQ==YWJj"));  // padding inside
  EXPECT_FALSE(OpaqueMeta::decodedSize(" YWJj"));     // whitespace
  EXPECT_FALSE(OpaqueMeta::decodedSize("Y==="));
}

}  // namespace
}  // namespace onair::streams
