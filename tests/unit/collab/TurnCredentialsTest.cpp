#include "collab/TurnCredentials.hpp"

#include <gtest/gtest.h>

using namespace onair::collab;

// Vectors computed outside onair (Python: base64.b64encode(hmac.new(key, msg, hashlib.sha1).digest())).
TEST(CollabTurnCredentials, CredentialIsBase64OfHmacSha1) {
  // The classic HMAC-SHA1 vector: de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9.
  EXPECT_EQ(TurnCredentials::credentialFor("key", "The quick brown fox jumps over the lazy dog"),
            "3nybhbi3iqa8ino29wqQcBydtNk=");
  EXPECT_EQ(TurnCredentials::credentialFor("turn-secret-42", "1800003600:alice"), "7j3CRGHEz06nze0itryNtyIEgDs=");
}

TEST(CollabTurnCredentials, UsernameIsExpiryColonUserId) {
  auto c = TurnCredentials::make({"turn:127.0.0.1:3478"}, "turn-secret-42", "alice", 1'800'000'000, 3600);
  EXPECT_EQ(c.username, "1800003600:alice");
  EXPECT_EQ(c.credential, "7j3CRGHEz06nze0itryNtyIEgDs=");
  EXPECT_EQ(c.ttl, 3600);
  ASSERT_EQ(c.urls.size(), 1u);
  EXPECT_EQ(c.urls[0], "turn:127.0.0.1:3478");
}

TEST(CollabTurnCredentials, WrongSecretGivesAnotherCredential) {
  EXPECT_NE(TurnCredentials::credentialFor("turn-secret-43", "1800003600:alice"), "7j3CRGHEz06nze0itryNtyIEgDs=");
}

TEST(CollabTurnCredentials, SplitsUrlsAtCommas) {
  using V = std::vector<std::string>;
  EXPECT_EQ(TurnCredentials::splitUrls(""), V{});
  EXPECT_EQ(TurnCredentials::splitUrls(" , "), V{});
  EXPECT_EQ(TurnCredentials::splitUrls("turn:a:3478"), V{"turn:a:3478"});
  EXPECT_EQ(TurnCredentials::splitUrls("turn:a:3478?transport=udp, turns:a:5349 ,"),
            (V{"turn:a:3478?transport=udp", "turns:a:5349"}));
}
