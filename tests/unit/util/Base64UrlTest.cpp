#include "util/Base64Url.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace onair::util;

TEST(Base64Url, EncodesTheRfcVectorsWithoutPadding) {
  // RFC 4648 §10, with the url alphabet and no '='.
  EXPECT_EQ(base64UrlEncode(""), "");
  EXPECT_EQ(base64UrlEncode("f"), "Zg");
  EXPECT_EQ(base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(base64UrlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(base64UrlEncode("fooba"), "Zm9vYmE");
  EXPECT_EQ(base64UrlEncode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64UrlEncode("\xfb\xff"), "-_8");
  std::string out = "at_";
  appendBase64Url(out, "foob");
  EXPECT_EQ(out, "at_Zm9vYg");
}

TEST(Base64Url, DecodesWhatItEncodesAtEveryLength) {
  std::string bytes;
  for (int n = 0; n < 40; ++n) {
    auto decoded = base64UrlDecode(base64UrlEncode(bytes));
    ASSERT_TRUE(decoded.has_value()) << n;
    EXPECT_EQ(*decoded, bytes) << n;
    bytes += static_cast<char>(n * 37 + 11);
  }
}

TEST(Base64Url, RefusesWhatIsNotBase64Url) {
  EXPECT_EQ(base64UrlDecode("Zm9vYg=="), "foob");  // padding tolerated
  EXPECT_FALSE(base64UrlDecode("Zm9vY"));           // a length no encoding has
  EXPECT_FALSE(base64UrlDecode("Zm+v"));            // the standard alphabet's '+'
  EXPECT_FALSE(base64UrlDecode("Zm9v\n"));
}
