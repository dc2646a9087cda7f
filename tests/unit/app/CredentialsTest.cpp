#include "app/Credentials.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/Random.hpp"

using onair::app::Config;
using onair::app::Credentials;

namespace {

class CredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() / ("onair-credentials-" + onair::util::randomId("", 9));
    config.dataDir = dir.string();
  }
  void TearDown() override { std::filesystem::remove_all(dir); }

  std::string fileText() const {
    std::ifstream in(Credentials::pathFor(config));
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::filesystem::path dir;
  Config config;
};

}  // namespace

TEST_F(CredentialsTest, GeneratesKeysAndACollabSecretOfItsOwnInAPrivateFile) {
  Credentials::ensure(config);
  ASSERT_EQ(config.keys.size(), 1u);
  EXPECT_EQ(config.keysSource, "generated");
  EXPECT_GE(config.collabTokenSecret.size(), 32u);
  EXPECT_NE(config.collabTokenSecret, config.keys.front().secret);
  struct stat st {};
  ASSERT_EQ(::stat(Credentials::pathFor(config).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  EXPECT_NE(fileText().find(config.collabTokenSecret), std::string::npos);

  // A second start reads the same values back.
  Config again;
  again.dataDir = config.dataDir;
  Credentials::ensure(again);
  EXPECT_EQ(again.keys.front().secret, config.keys.front().secret);
  EXPECT_EQ(again.collabTokenSecret, config.collabTokenSecret);
}

TEST_F(CredentialsTest, ConfiguredValuesWinAndOnlyWhatIsMissingIsGenerated) {
  config.keys.push_back({"APIconfigured", "configured-secret-0123456789"});
  Credentials::ensure(config);
  EXPECT_EQ(config.keys.size(), 1u);
  EXPECT_EQ(config.keys.front().key, "APIconfigured");
  EXPECT_FALSE(config.collabTokenSecret.empty());
  EXPECT_EQ(fileText().find("\n[[keys]]\n"), std::string::npos) << "no key generated when keys are configured";

  Config own;
  own.dataDir = (dir / "other").string();
  own.keys = config.keys;
  own.collabTokenSecret = "configured-collab-secret";
  Credentials::ensure(own);
  EXPECT_EQ(own.collabTokenSecret, "configured-collab-secret");
  EXPECT_FALSE(std::filesystem::exists(Credentials::pathFor(own))) << "nothing missing: the file is not made";
}

TEST_F(CredentialsTest, AFileFromBeforeTheCollabSecretGetsOneAppended) {
  std::filesystem::create_directories(dir);
  {
    std::ofstream out(Credentials::pathFor(config));
    out << "[[keys]]\nkey = \"APIold\"\nsecret = \"old-secret-0123456789abc\"";  // no final newline
  }
  Credentials::ensure(config);
  EXPECT_EQ(config.keys.front().key, "APIold");
  EXPECT_FALSE(config.collabTokenSecret.empty());
  EXPECT_NE(fileText().find("[collab]"), std::string::npos);
}

TEST_F(CredentialsTest, MintingTokensNeedsNoCollabSecret) {
  Credentials::ensure(config, Credentials::Need::Keys);
  EXPECT_EQ(config.keys.size(), 1u);
  EXPECT_TRUE(config.collabTokenSecret.empty());
  EXPECT_EQ(fileText().find("[collab]"), std::string::npos);
}
