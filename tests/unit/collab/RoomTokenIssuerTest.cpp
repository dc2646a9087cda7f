#include "collab/RoomTokenIssuer.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/json.hpp>

#include "auth/KeyRing.hpp"
#include "auth/TokenVerifier.hpp"
#include "util/Base64Url.hpp"

using namespace onair::collab;
using onair::util::base64UrlDecode;
using onair::util::base64UrlEncode;

namespace {

struct Parts {
  boost::json::object header;
  boost::json::object payload;
  std::string signingInput;
  std::string signature;  // raw bytes
};

Parts split(const std::string& jwt) {
  auto dot1 = jwt.find('.');
  auto dot2 = jwt.find('.', dot1 + 1);
  EXPECT_NE(dot1, std::string::npos);
  EXPECT_NE(dot2, std::string::npos);
  EXPECT_EQ(jwt.find('.', dot2 + 1), std::string::npos);
  Parts p;
  p.header = boost::json::parse(*base64UrlDecode(jwt.substr(0, dot1))).as_object();
  p.payload = boost::json::parse(*base64UrlDecode(jwt.substr(dot1 + 1, dot2 - dot1 - 1))).as_object();
  p.signingInput = jwt.substr(0, dot2);
  p.signature = *base64UrlDecode(jwt.substr(dot2 + 1));
  return p;
}

std::string hs256(const std::string& secret, const std::string& input) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(input.data()),
       input.size(), mac, &len);
  return std::string(reinterpret_cast<char*>(mac), len);
}

RoomTokenClaims claims() {
  return {"alice", "doc:plan-42", "workspace", "read-write", 1'800'000'000, 1'800'000'600};
}

}  // namespace

TEST(CollabRoomTokenIssuer, SignsTheDocumentedClaimsWithHs256AndTheCollabAudience) {
  RoomTokenIssuer issuer("collab-secret");
  auto p = split(issuer.issue(claims()));

  EXPECT_EQ(p.header.at("alg").as_string(), "HS256");
  EXPECT_FALSE(p.header.contains("kid")) << "the collab secret is no API key: no kid names one";
  EXPECT_EQ(p.payload.at("aud").as_string(), "onair-collab");
  EXPECT_EQ(p.payload.at("sub").as_string(), "alice");
  EXPECT_EQ(p.payload.at("room").as_string(), "doc:plan-42");
  EXPECT_EQ(p.payload.at("kind").as_string(), "workspace");
  EXPECT_EQ(p.payload.at("scope").as_string(), "read-write");
  EXPECT_EQ(p.payload.at("iat").to_number<int64_t>(), 1'800'000'000);
  EXPECT_EQ(p.payload.at("exp").to_number<int64_t>(), 1'800'000'600);
  EXPECT_EQ(p.payload.size(), 7u) << boost::json::serialize(p.payload);
}

TEST(CollabRoomTokenIssuer, SignatureVerifiesWithTheSecretOnly) {
  RoomTokenIssuer issuer("collab-secret");
  auto c = claims();
  c.scope = "readonly";
  c.kind = "code";
  auto p = split(issuer.issue(c));
  EXPECT_EQ(p.payload.at("scope").as_string(), "readonly");
  EXPECT_EQ(p.payload.at("kind").as_string(), "code");
  EXPECT_EQ(p.signature, hs256("collab-secret", p.signingInput));
  EXPECT_NE(p.signature, hs256("another-secret", p.signingInput));
}

TEST(CollabRoomTokenIssuer, DifferentSecretsGiveDifferentSignatures) {
  auto a = split(RoomTokenIssuer("secret-a").issue(claims()));
  auto b = split(RoomTokenIssuer("secret-b").issue(claims()));
  EXPECT_EQ(a.signingInput, b.signingInput);
  EXPECT_NE(a.signature, b.signature);
}

TEST(CollabRoomTokenIssuer, RoomTokensAreNeitherAccessTokensNorApiCredentials) {
  // Even when an operator sets collab.token_secret to an API secret, a room token opens nothing else.
  onair::auth::KeyRing keys;
  keys.add("APIkey1", "shared-secret-0123456789");
  onair::auth::TokenVerifier verifier(keys, 10);
  auto token = RoomTokenIssuer("shared-secret-0123456789").issue(claims());
  EXPECT_TRUE(std::holds_alternative<onair::auth::TokenError>(verifier.verifyAccess(token, 1'800'000'010)));
  EXPECT_TRUE(std::holds_alternative<onair::auth::TokenError>(verifier.verifyApiCredential(token, 1'800'000'010)));
}
