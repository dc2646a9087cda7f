#include "auth/Hs256Jwt.hpp"

#include <gtest/gtest.h>

#include "ForgedJwt.hpp"
#include "auth/JwtSigner.hpp"
#include "util/Base64Url.hpp"

using namespace onair::auth;
using onair::auth::testing::ForgedJwt;
using onair::util::base64UrlEncode;

namespace {

constexpr int64_t kNow = 1'800'000'000;
const std::string kSecret = "hs256-test-secret-0123456789";
const std::string kHeader = R"({"alg":"HS256"})";

// The parsed token; a test whose token does not parse fails (std::get throws).
Hs256Jwt parsed(const std::string& token) {
  auto r = Hs256Jwt::parse(token);
  if (auto* e = std::get_if<TokenError>(&r)) ADD_FAILURE() << e->reason;
  return std::get<Hs256Jwt>(std::move(r));
}

std::string parseError(const std::string& token) {
  auto r = Hs256Jwt::parse(token);
  auto* e = std::get_if<TokenError>(&r);
  return e ? e->reason : "";
}

std::string verifyError(const std::string& payload, int64_t now = kNow, const std::string& secret = kSecret) {
  auto e = parsed(ForgedJwt::sign(kHeader, payload, kSecret)).verify(secret, now, 10);
  return e ? e->reason : "";
}

}  // namespace

TEST(Hs256Jwt, ParsesWhatJwtSignerMakesAndReadsItsClaims) {
  boost::json::object payload{{"sub", "alice"}, {"n", 7}, {"exp", kNow + 60}};
  auto jwt = parsed(signHs256(payload, "key1", kSecret));
  EXPECT_EQ(jwt.headerString("kid"), "key1");
  EXPECT_EQ(jwt.headerString("alg"), "HS256");
  EXPECT_EQ(jwt.stringClaim("sub"), "alice");
  EXPECT_EQ(jwt.stringClaim("n"), std::nullopt);
  EXPECT_EQ(jwt.intClaim("n"), 7);
  EXPECT_EQ(jwt.intClaim("sub"), std::nullopt);
  EXPECT_EQ(jwt.intClaim("absent"), std::nullopt);
  EXPECT_EQ(jwt.payload().size(), 3u);
  EXPECT_EQ(jwt.verify(kSecret, kNow, 10), std::nullopt);
}

TEST(Hs256Jwt, PinsTheAlgorithmWithoutAnyKey) {
  // parse() takes no secret: alg none, HS512 and a missing alg are refused before any signature.
  EXPECT_EQ(parseError(base64UrlEncode(R"({"alg":"none"})") + "." + base64UrlEncode("{}") + "."), "token algorithm must be HS256");
  EXPECT_EQ(parseError(ForgedJwt::sign(R"({"alg":"HS512"})", "{}", kSecret, true)), "token algorithm must be HS256");
  EXPECT_EQ(parseError(ForgedJwt::sign(R"({"typ":"JWT"})", "{}", kSecret)), "token algorithm must be HS256");
  EXPECT_EQ(parseError(ForgedJwt::sign(kHeader, "{}", kSecret)), "");
}

TEST(Hs256Jwt, RefusesBadShapesAndSizes) {
  EXPECT_EQ(parseError(""), "token is empty");
  EXPECT_EQ(parseError("abc"), "token is not a JWT (three dot-separated parts)");
  EXPECT_EQ(parseError("a.b.c.d"), "token is not a JWT (three dot-separated parts)");
  EXPECT_EQ(parseError(base64UrlEncode(kHeader) + ".%%%.x"), "token header or payload is not base64url JSON");
  EXPECT_EQ(parseError(base64UrlEncode(kHeader) + "." + base64UrlEncode("\"str\"") + ".x"),
            "token header or payload is not base64url JSON");
  // Nesting deeper than the limit is refused as JSON.
  EXPECT_EQ(parseError(ForgedJwt::sign(kHeader, R"({"a":[[[[[[[[[1]]]]]]]]]})", kSecret)),
            "token header or payload is not base64url JSON");
  // 8 KiB is the largest size looked at; one byte more is refused before any parsing.
  EXPECT_EQ(parseError(std::string(Hs256Jwt::kMaxTokenBytes, 'a')), "token is not a JWT (three dot-separated parts)");
  EXPECT_EQ(parseError(std::string(Hs256Jwt::kMaxTokenBytes + 1, 'a')), "token is larger than 8 KiB");
}

TEST(Hs256Jwt, VerifiesTheSignatureWithTheGivenSecretOnly) {
  const std::string payload = R"({"exp":1800000060})";
  EXPECT_EQ(verifyError(payload), "");
  EXPECT_EQ(verifyError(payload, kNow, "another-secret"), "token signature is invalid");
  // A signature of the wrong length, or not base64url.
  auto token = ForgedJwt::sign(kHeader, payload, kSecret);
  auto input = token.substr(0, token.rfind('.'));
  EXPECT_EQ(parsed(input + "." + base64UrlEncode("0123456789")).verify(kSecret, kNow, 10)->reason, "token signature is invalid");
  EXPECT_EQ(parsed(input + ".").verify(kSecret, kNow, 10)->reason, "token signature is invalid");
}

TEST(Hs256Jwt, ChecksTheTimeWindowWithLeeway) {
  EXPECT_EQ(verifyError(R"({})"), "token has no exp");
  EXPECT_EQ(verifyError(R"({"exp":1799999990})"), "");                   // exactly at the leeway
  EXPECT_EQ(verifyError(R"({"exp":1799999989})"), "token has expired");
  EXPECT_EQ(verifyError(R"({"exp":1800000060,"nbf":1800000010})"), "");  // exactly at the leeway
  EXPECT_EQ(verifyError(R"({"exp":1800000060,"nbf":1800000011})"), "token is not valid yet");
  EXPECT_EQ(verifyError(R"({"exp":1800000060,"nbf":"later"})"), "");      // an nbf that is no number is ignored
}

TEST(Hs256Jwt, ReadsIntegerClaimsWithinRange) {
  auto jwt = parsed(ForgedJwt::sign(
      kHeader, R"({"i":-5,"u":18446744073709551615,"d":12.9,"big":1e300,"nan":"x","max":9223372036854775807})", kSecret));
  EXPECT_EQ(jwt.intClaim("i"), -5);
  EXPECT_EQ(jwt.intClaim("u"), std::nullopt);  // over INT64_MAX
  EXPECT_EQ(jwt.intClaim("d"), 12);
  EXPECT_EQ(jwt.intClaim("big"), std::nullopt);
  EXPECT_EQ(jwt.intClaim("nan"), std::nullopt);
  EXPECT_EQ(jwt.intClaim("max"), INT64_MAX);
}

TEST(Hs256Jwt, ChecksTheAudienceOfEachPurpose) {
  auto error = [](const std::string& payload, TokenPurpose purpose) {
    auto e = parsed(ForgedJwt::sign(kHeader, payload, kSecret)).audienceError(purpose);
    return e ? e->reason : "";
  };
  EXPECT_EQ(error(R"({"aud":"onair-collab"})", TokenPurpose::CollabRoom), "");
  EXPECT_EQ(error(R"({"aud":"onair"})", TokenPurpose::Access), "");
  EXPECT_EQ(error(R"({"aud":"onair"})", TokenPurpose::CollabRoom),
            "token aud must be \"onair-collab\" here; this token is for another use");
  EXPECT_EQ(error(R"({"aud":1})", TokenPurpose::Access), "token aud must be a string");
  EXPECT_NE(error(R"({})", TokenPurpose::CollabRoom).find("token has no aud claim"), std::string::npos);
  EXPECT_EQ(error(R"({})", TokenPurpose::ApiCredential), "");  // older API credentials have none
}

TEST(Hs256Jwt, SubjectIsAUserIdOf1To255Bytes) {
  auto subject = [](const std::string& payload) {
    auto r = parsed(ForgedJwt::sign(kHeader, payload, kSecret)).subject();
    auto* e = std::get_if<TokenError>(&r);
    return e ? "error: " + e->reason : std::get<std::string>(r);
  };
  EXPECT_EQ(subject(R"({"sub":"alice"})"), "alice");
  EXPECT_EQ(subject(R"({"sub":")" + std::string(255, 'u') + "\"}"), std::string(255, 'u'));
  const std::string refused = "error: token sub must be a user id of 1 to 255 bytes";
  EXPECT_EQ(subject(R"({"sub":")" + std::string(256, 'u') + "\"}"), refused);
  EXPECT_EQ(subject(R"({"sub":""})"), refused);
  EXPECT_EQ(subject(R"({"sub":7})"), refused);
  EXPECT_EQ(subject(R"({})"), refused);
}
