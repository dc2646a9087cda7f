#include "net/Utf8Validator.hpp"

#include <gtest/gtest.h>

using onair::net::Utf8Validator;

TEST(Utf8Validator, AcceptsValidText) {
  EXPECT_TRUE(Utf8Validator::isValid(""));
  EXPECT_TRUE(Utf8Validator::isValid("plain ascii text that is longer than eight bytes"));
  EXPECT_TRUE(Utf8Validator::isValid("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"));  // é € 😀
  EXPECT_TRUE(Utf8Validator::isValid("\xf4\x8f\xbf\xbf"));                      // U+10FFFF
}

TEST(Utf8Validator, RejectsOverlongsSurrogatesAndOutOfRange) {
  EXPECT_FALSE(Utf8Validator::isValid("\xc0\x80"));
  EXPECT_FALSE(Utf8Validator::isValid("\xe0\x80\xaf"));
  EXPECT_FALSE(Utf8Validator::isValid("\xed\xa0\x80"));
  EXPECT_FALSE(Utf8Validator::isValid("\xf4\x90\x80\x80"));
  EXPECT_FALSE(Utf8Validator::isValid("\xf5\x80\x80\x80"));
  EXPECT_FALSE(Utf8Validator::isValid("\x80"));
}

TEST(Utf8Validator, FailsFastOnInvalidPrefixAcrossFeeds) {
  Utf8Validator v;
  EXPECT_TRUE(v.feed("\xe2"));
  EXPECT_FALSE(v.complete());
  EXPECT_TRUE(v.feed("\x82\xac"));
  EXPECT_TRUE(v.complete());
  EXPECT_FALSE(v.feed("\xe2\x28"));
  EXPECT_FALSE(v.feed("ok"));  // sticky
}
