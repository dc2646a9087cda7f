#include "auth/TokenVerifier.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth/TokenIssuer.hpp"
#include "util/Base64Url.hpp"
#include "util/Random.hpp"

using namespace onair::auth;
using onair::util::base64UrlDecode;
using onair::util::base64UrlEncode;

namespace {

constexpr int64_t kNow = 1'800'000'000;

// Signs arbitrary header/payload JSON, to forge tokens the issuer would never make.
std::string signRaw(const std::string& header, const std::string& payload, const std::string& secret) {
  std::string input = base64UrlEncode(header) + "." + base64UrlEncode(payload);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(input.data()),
       input.size(), mac, &len);
  return input + "." + base64UrlEncode(std::string(reinterpret_cast<char*>(mac), len));
}

std::string issued(std::variant<std::string, IssueError> r) {
  if (auto* e = std::get_if<IssueError>(&r)) ADD_FAILURE() << e->message;
  auto* token = std::get_if<std::string>(&r);
  return token ? *token : "";
}

// The decoded payload JSON of a JWT.
std::string payloadOf(const std::string& token) {
  auto dot1 = token.find('.');
  return base64UrlDecode(token.substr(dot1 + 1, token.find('.', dot1 + 1) - dot1 - 1)).value_or("");
}

class TokenVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    secret = base64UrlEncode(onair::util::randomBytes(32));
    otherSecret = base64UrlEncode(onair::util::randomBytes(32));
    keys.add("key1", secret);
    keys.add("key2", otherSecret);
  }

  AccessClaims claims(int64_t nbf = kNow - 10, int64_t exp = kNow + 3600) {
    AccessClaims c;
    c.userId = "alice";
    c.name = "Alice";
    c.scope = "tenant_42";
    c.issuedAt = kNow - 10;
    c.notBefore = nbf;
    c.expiresAt = exp;
    std::string err;
    c.grants = *GrantSet::fromStrings({"room:project_*:publish,subscribe", "live:content:*:attach"}, err);
    c.attributes["team"] = "blue";
    return c;
  }

  std::string errorOf(const std::string& token, int64_t now = kNow) {
    auto r = TokenVerifier(keys, 10).verifyAccess(token, now);
    auto* e = std::get_if<TokenError>(&r);
    return e ? e->reason : "";
  }

  KeyRing keys;
  std::string secret, otherSecret;
};

}  // namespace

TEST_F(TokenVerifierTest, AcceptsGoodTokenAndReadsClaims) {
  auto token = issued(TokenIssuer(keys).issue(claims()));
  auto r = TokenVerifier(keys, 10).verifyAccess(token, kNow);
  ASSERT_TRUE(std::holds_alternative<AccessClaims>(r)) << std::get<TokenError>(r).reason;
  auto& c = std::get<AccessClaims>(r);
  EXPECT_EQ(c.userId, "alice");
  EXPECT_EQ(c.name, "Alice");
  EXPECT_EQ(c.scope, "tenant_42");
  EXPECT_EQ(c.keyId, "key1");
  EXPECT_EQ(c.attributes.at("team"), "blue");
  EXPECT_TRUE(c.grants.allows("room", "project_9", "publish"));
  EXPECT_FALSE(c.grants.allows("room", "other", "publish"));
  EXPECT_TRUE(c.grants.allows("live", "content:abc", "attach"));
}

TEST_F(TokenVerifierTest, RefusesExpiredTokenBeyondLeeway) {
  auto token = issued(TokenIssuer(keys).issue(claims(kNow - 100, kNow - 5)));
  EXPECT_EQ(errorOf(token), "");                    // within the 10 s leeway
  EXPECT_EQ(errorOf(token, kNow + 6), "token has expired");
}

TEST_F(TokenVerifierTest, RefusesNotYetValidToken) {
  auto token = issued(TokenIssuer(keys).issue(claims(kNow + 60, kNow + 3600)));
  EXPECT_EQ(errorOf(token), "token is not valid yet");
}

TEST_F(TokenVerifierTest, RefusesTokenSignedWithWrongSecret) {
  KeyRing forger;
  forger.add("key1", "not-the-real-secret-at-all");
  auto token = issued(TokenIssuer(forger).issue(claims()));
  EXPECT_EQ(errorOf(token), "token signature is invalid");
}

TEST_F(TokenVerifierTest, SelectsKeyByKidForRotation) {
  auto token = issued(TokenIssuer(keys).issue(claims(), "key2"));
  auto r = TokenVerifier(keys, 10).verifyAccess(token, kNow);
  ASSERT_TRUE(std::holds_alternative<AccessClaims>(r));
  EXPECT_EQ(std::get<AccessClaims>(r).keyId, "key2");
}

TEST_F(TokenVerifierTest, RefusesUnknownKid) {
  KeyRing other;
  other.add("retired", secret);
  auto token = issued(TokenIssuer(other).issue(claims()));
  EXPECT_EQ(errorOf(token), "token is signed with an unknown key");
}

TEST_F(TokenVerifierTest, RefusesAlgNone) {
  std::string header = R"({"alg":"none","typ":"JWT","kid":"key1"})";
  std::string payload = R"({"sub":"mallory","exp":1900000000})";
  std::string token = base64UrlEncode(header) + "." + base64UrlEncode(payload) + ".";
  EXPECT_EQ(errorOf(token), "token algorithm must be HS256");
}

TEST_F(TokenVerifierTest, RefusesOtherAlgorithmEvenWhenCorrectlyKeyed) {
  auto token = signRaw(R"({"alg":"HS512","kid":"key1"})", R"({"sub":"bob","exp":1900000000})", secret);
  EXPECT_EQ(errorOf(token), "token algorithm must be HS256");
}

TEST_F(TokenVerifierTest, RefusesTamperedPayload) {
  auto token = issued(TokenIssuer(keys).issue(claims()));
  auto dot1 = token.find('.');
  auto dot2 = token.find('.', dot1 + 1);
  auto payload = *base64UrlDecode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  payload.replace(payload.find("alice"), 5, "admin");
  std::string tampered = token.substr(0, dot1 + 1) + base64UrlEncode(payload) + token.substr(dot2);
  EXPECT_EQ(errorOf(tampered), "token signature is invalid");
}

TEST_F(TokenVerifierTest, RefusesMalformedTokens) {
  EXPECT_EQ(errorOf(""), "token is empty");
  EXPECT_EQ(errorOf("a.b"), "token is not a JWT (three dot-separated parts)");
  EXPECT_EQ(errorOf("a.b.c.d"), "token is not a JWT (three dot-separated parts)");
  EXPECT_EQ(errorOf("!!!.???.sig"), "token header or payload is not base64url JSON");
  EXPECT_EQ(errorOf(std::string(9000, 'a')), "token is larger than 8 KiB");
}

TEST_F(TokenVerifierTest, RequiresSubAndExp) {
  EXPECT_EQ(errorOf(signRaw(R"({"alg":"HS256","kid":"key1"})", R"({"sub":"x"})", secret)), "token has no exp");
  EXPECT_EQ(errorOf(signRaw(R"({"alg":"HS256","kid":"key1"})", R"({"iss":"key1","aud":"onair","exp":1900000000})", secret)),
            "token sub must be a user id of 1 to 255 bytes");
}

TEST_F(TokenVerifierTest, RefusesBadGrants) {
  auto token = signRaw(R"({"alg":"HS256","kid":"key1"})", R"({"iss":"key1","aud":"onair","sub":"x","exp":1900000000,"grants":{"room":{"a":["fly"]}}})", secret);
  EXPECT_NE(errorOf(token).find("token grants are invalid"), std::string::npos);
}

TEST_F(TokenVerifierTest, ApiCredentialNeedsIssAndNoSub) {
  TokenVerifier v(keys, 10);
  auto cred = TokenIssuer::signApiJwt("key1", secret, kNow, 60);
  auto ok = v.verifyApiCredential(cred, kNow);
  ASSERT_TRUE(std::holds_alternative<std::string>(ok));
  EXPECT_EQ(std::get<std::string>(ok), "key1");
  // A client access token must not open the server API.
  auto clientToken = issued(TokenIssuer(keys).issue(claims()));
  EXPECT_TRUE(std::holds_alternative<TokenError>(v.verifyApiCredential(clientToken, kNow)));
  // And an API credential is not an access token.
  EXPECT_TRUE(std::holds_alternative<TokenError>(v.verifyAccess(cred, kNow)));
}

TEST_F(TokenVerifierTest, ExtremeTimeClaimsNeitherOverflowNorPass) {
  // Found by fuzz_token: huge exp/nbf values must be handled without undefined behaviour.
  const std::string header = R"({"alg":"HS256","kid":"key1"})";
  EXPECT_EQ(errorOf(signRaw(header, R"({"iss":"key1","aud":"onair","sub":"u","exp":9223372036854775807})", secret)), "");
  EXPECT_EQ(errorOf(signRaw(header, R"({"iss":"key1","aud":"onair","sub":"u","exp":1.7e31})", secret)), "token has no exp");
  EXPECT_EQ(errorOf(signRaw(header, R"({"iss":"key1","aud":"onair","sub":"u","exp":1900000000,"nbf":2.7e92})", secret)), "");
  EXPECT_EQ(errorOf(signRaw(header, R"({"iss":"key1","aud":"onair","sub":"u","exp":-9223372036854775807})", secret)), "token has expired");
}

TEST_F(TokenVerifierTest, AccessTokensSayTheirAudience) {
  auto payload = payloadOf(issued(TokenIssuer(keys).issue(claims())));
  EXPECT_NE(payload.find(R"("aud":"onair")"), std::string::npos) << payload;
  EXPECT_NE(payload.find(R"("iss":"key1")"), std::string::npos) << payload;
}

TEST_F(TokenVerifierTest, AccessRefusesTokensForAnotherPurposeOrWithoutAudience) {
  const std::string header = R"({"alg":"HS256","kid":"key1"})";
  const std::string rest = R"("sub":"u","exp":1900000000})";
  // A collab room token signed with an API secret (collab.token_secret set to it) is still no access token.
  EXPECT_EQ(errorOf(signRaw(header, R"({"iss":"key1","aud":"onair-collab",)" + rest, secret)),
            "token aud must be \"onair\" here; this token is for another use");
  EXPECT_EQ(errorOf(signRaw(header, R"({"iss":"key1","aud":"onair-api",)" + rest, secret)),
            "token aud must be \"onair\" here; this token is for another use");
  EXPECT_EQ(errorOf(signRaw(header, R"({"iss":"key1","aud":["onair"],)" + rest, secret)), "token aud must be a string");
  // Tokens minted before `aud` existed.
  EXPECT_NE(errorOf(signRaw(header, R"({"iss":"key1",)" + rest, secret)).find("token has no aud claim"), std::string::npos);
  // A collab room token as onair mints it: no kid, no iss.
  EXPECT_EQ(errorOf(signRaw(R"({"alg":"HS256"})", R"({"aud":"onair-collab",)" + rest, secret)), "token names no key (kid or iss)");
}

TEST_F(TokenVerifierTest, IssMustBeTheSigningKey) {
  const std::string rest = R"("aud":"onair","sub":"u","exp":1900000000})";
  EXPECT_EQ(errorOf(signRaw(R"({"alg":"HS256","kid":"key1"})", R"({"iss":"key2",)" + rest, secret)),
            "token iss must be the API key that signed it (its kid)");
  EXPECT_EQ(errorOf(signRaw(R"({"alg":"HS256","kid":"key1"})", R"({)" + rest, secret)),
            "token iss must be the API key that signed it (its kid)");
  EXPECT_EQ(errorOf(signRaw(R"({"alg":"HS256"})", R"({"iss":"key1",)" + rest, secret)), "");  // key chosen by iss
  TokenVerifier v(keys, 10);
  auto cred = signRaw(R"({"alg":"HS256","kid":"key1"})", R"({"iss":"key2","exp":1900000000})", secret);
  EXPECT_EQ(std::get<TokenError>(v.verifyApiCredential(cred, kNow)).reason, "token iss must be the API key that signed it (its kid)");
}

TEST_F(TokenVerifierTest, ApiCredentialsTakeTheirAudienceOrNone) {
  TokenVerifier v(keys, 10);
  auto withAud = TokenIssuer::signApiJwt("key1", secret, kNow, 60);
  EXPECT_NE(payloadOf(withAud).find(R"("aud":"onair-api")"), std::string::npos);
  EXPECT_TRUE(std::holds_alternative<std::string>(v.verifyApiCredential(withAud, kNow)));
  auto older = signRaw(R"({"alg":"HS256","kid":"key1"})", R"({"iss":"key1","exp":1900000000})", secret);
  EXPECT_TRUE(std::holds_alternative<std::string>(v.verifyApiCredential(older, kNow)));
  auto access = signRaw(R"({"alg":"HS256","kid":"key1"})", R"({"iss":"key1","aud":"onair","exp":1900000000})", secret);
  EXPECT_TRUE(std::holds_alternative<TokenError>(v.verifyApiCredential(access, kNow)));
  auto collab = signRaw(R"({"alg":"HS256","kid":"key1"})", R"({"iss":"key1","aud":"onair-collab","exp":1900000000})", secret);
  EXPECT_TRUE(std::holds_alternative<TokenError>(v.verifyApiCredential(collab, kNow)));
}

TEST(TokenIssuer, RefusesToMintTokensTheVerifierWouldRefuse) {
  KeyRing keys;
  keys.add("key1", "a-secret-of-enough-length");
  AccessClaims c;
  c.userId = "alice";
  c.expiresAt = kNow + 60;
  c.attributes["note"] = std::string(7000, 'x');  // base64url grows it by a third
  auto r = TokenIssuer(keys).issue(c);
  ASSERT_TRUE(std::holds_alternative<IssueError>(r));
  const auto& e = std::get<IssueError>(r);
  EXPECT_EQ(e.reason, IssueError::Reason::TooLarge);
  EXPECT_NE(e.message.find("8192"), std::string::npos) << e.message;
  c.attributes["note"] = std::string(5000, 'x');
  auto ok = TokenIssuer(keys).issue(c);
  ASSERT_TRUE(std::holds_alternative<std::string>(ok));
  EXPECT_LE(std::get<std::string>(ok).size(), TokenVerifier::kMaxTokenBytes);
  EXPECT_TRUE(std::holds_alternative<AccessClaims>(TokenVerifier(keys, 10).verifyAccess(std::get<std::string>(ok), kNow)));
  EXPECT_EQ(std::get<IssueError>(TokenIssuer(keys).issue(c, "nope")).reason, IssueError::Reason::UnknownKey);
}
