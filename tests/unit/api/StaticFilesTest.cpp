#include "api/StaticFiles.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

using onair::api::StaticFiles;
namespace fs = std::filesystem;

namespace {

// A web root with one page, a folder with an index, and symlinks pointing inside and outside.
class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("onair-static-" + std::to_string(std::random_device{}()));
    fs::create_directories(base_ / "web" / "docs");
    write(base_ / "web" / "index.html", "<h1>home</h1>");
    write(base_ / "web" / "docs" / "index.html", "docs");
    write(base_ / "secret.toml", "secret = 1");
    fs::create_symlink(base_ / "secret.toml", base_ / "web" / "leak.txt");
    fs::create_symlink(base_, base_ / "web" / "up");
    fs::create_symlink(base_ / "web" / "index.html", base_ / "web" / "alias.html");
  }
  void TearDown() override { fs::remove_all(base_); }
  static void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

  fs::path base_;
};

}  // namespace

TEST_F(StaticFilesTest, ServesFilesAndFolderIndexesInsideTheRoot) {
  StaticFiles files((base_ / "web").string());
  auto home = files.serve("/");
  ASSERT_TRUE(home);
  EXPECT_EQ(home->body, "<h1>home</h1>");
  EXPECT_EQ(home->contentType, "text/html; charset=utf-8");
  ASSERT_TRUE(files.serve("/docs"));
  EXPECT_EQ(files.serve("/docs/")->body, "docs");
  // A link that stays inside the root is followed.
  ASSERT_TRUE(files.serve("/alias.html"));
  EXPECT_EQ(files.serve("/alias.html")->body, "<h1>home</h1>");
}

TEST_F(StaticFilesTest, RefusesAbsolutePathsTraversalAndLinksOutOfTheRoot) {
  StaticFiles files((base_ / "web").string());
  const std::string outside = (base_ / "secret.toml").string();
  const std::vector<std::string> paths = {"/" + outside,    "//etc/passwd",     "//proc/self/environ",
                                          "/../secret.toml", "/leak.txt",        "/up/secret.toml",
                                          "/missing.html"};
  for (const std::string& path : paths) {
    EXPECT_FALSE(files.serve(path).has_value()) << path;
  }
}

TEST_F(StaticFilesTest, AnEmptyOrMissingRootServesNothing) {
  EXPECT_FALSE(StaticFiles("").serve("/").has_value());
  EXPECT_FALSE(StaticFiles((base_ / "nope").string()).serve("/").has_value());
}
