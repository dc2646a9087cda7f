#include "api/StaticPath.hpp"

#include <gtest/gtest.h>

#include <string>

using onair::api::StaticPath;

TEST(StaticPath, MapsPlainPathsAndFolderIndexes) {
  EXPECT_EQ(StaticPath::map("/"), "index.html");
  EXPECT_EQ(StaticPath::map("/live.html"), "live.html");
  EXPECT_EQ(StaticPath::map("/sdk/client/index.js"), "sdk/client/index.js");
  EXPECT_EQ(StaticPath::map("/sdk/"), "sdk/index.html");
  EXPECT_EQ(StaticPath::map("/a%20b.html"), "a b.html");
}

TEST(StaticPath, RefusesAbsoluteRemaindersAndEmptySegments) {
  // The hole of issue 12: "//etc/passwd" joined to the root made an absolute path.
  for (const char* path : {"//etc/passwd", "//proc/self/environ", "/sdk//index.js", "///", "//", "/a//"}) {
    EXPECT_EQ(StaticPath::map(path), std::nullopt) << path;
  }
}

TEST(StaticPath, RefusesDotSegmentsHiddenFilesAndEncodedSeparators) {
  for (const char* path : {"/..", "/../etc/passwd", "/sdk/../../x", "/.", "/./index.html", "/.env", "/sdk/.git/config",
                           "/%2e%2e/etc/passwd", "/%2E%2E", "/..%2f..%2fetc/passwd", "/a%2fb", "/a%5c..%5cb", "/a\\b",
                           "/a%00.html", "/a%0a", "/c:/x", "/%", "/%2", "/%zz", "relative", ""}) {
    EXPECT_EQ(StaticPath::map(path), std::nullopt) << path;
  }
}

TEST(StaticPath, BoundsLengthAndDepth) {
  std::string deep;
  for (size_t i = 0; i < StaticPath::kMaxSegments; ++i) deep += "/d";
  EXPECT_TRUE(StaticPath::map(deep).has_value());
  EXPECT_EQ(StaticPath::map(deep + "/d"), std::nullopt);
  // A trailing slash adds index.html, which counts as a segment.
  EXPECT_EQ(StaticPath::map(deep + "/"), std::nullopt);
  EXPECT_EQ(StaticPath::map("/" + std::string(StaticPath::kMaxBytes, 'a')), std::nullopt);
}
