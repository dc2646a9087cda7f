#include "collab/RoomTokenVerifier.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "../auth/ForgedJwt.hpp"
#include "auth/KeyRing.hpp"
#include "auth/TokenIssuer.hpp"
#include "collab/RoomScope.hpp"
#include "collab/RoomTokenIssuer.hpp"
#include "util/Base64Url.hpp"
#include "util/Random.hpp"

using namespace onair::collab;
using onair::auth::TokenError;
using onair::auth::testing::ForgedJwt;
using onair::util::base64UrlEncode;

namespace {

constexpr int64_t kNow = 1'800'000'000;
constexpr int64_t kLeeway = 10;
const std::string kRoom = "doc:plan-42";
const std::string kHeader = R"({"alg":"HS256","typ":"JWT"})";

class RoomTokenVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override { secret = base64UrlEncode(onair::util::randomBytes(32)); }

  RoomTokenClaims claims(std::string scope = "read-write", int64_t exp = kNow + 600) {
    return {"alice", kRoom, "workspace", std::move(scope), kNow - 5, exp};
  }

  std::string issue(const RoomTokenClaims& c) const { return RoomTokenIssuer(secret).issue(c); }

  std::variant<RoomTokenClaims, TokenError> verify(const std::string& token, const std::string& room = kRoom,
                                                  int64_t now = kNow) const {
    return RoomTokenVerifier(secret, kLeeway).verify(token, room, now);
  }

  // The reason `token` is refused for `room` at `now`; "" when it passes. A reason never carries
  // the token or the secret.
  std::string errorOf(const std::string& token, const std::string& room = kRoom, int64_t now = kNow) const {
    auto r = verify(token, room, now);
    auto* e = std::get_if<TokenError>(&r);
    if (!e) return "";
    EXPECT_FALSE(e->reason.empty());
    EXPECT_EQ(e->reason.find(secret), std::string::npos);
    if (token.size() >= 8) {
      EXPECT_EQ(e->reason.find(token), std::string::npos);
    }
    return e->reason;
  }

  // A token signed with the collab secret whose payload is `{` + members + `}`.
  std::string forged(const std::string& members) const { return ForgedJwt::sign(kHeader, "{" + members + "}", secret); }

  std::string secret;
};

TEST_F(RoomTokenVerifierTest, AConnectionClosesAtExpiryPlusTheLeewayOrAtOnceWhenPast) {
  const RoomTokenVerifier verifier(secret, kLeeway);
  const auto before = std::chrono::steady_clock::now();
  const auto later = verifier.closesAt(claims("read-write", kNow + 5), kNow);
  const auto after = std::chrono::steady_clock::now();
  EXPECT_GE(later, before + std::chrono::seconds(5 + kLeeway));
  EXPECT_LE(later, after + std::chrono::seconds(5 + kLeeway));
  const auto past = verifier.closesAt(claims("read-write", kNow - 3600), kNow);
  EXPECT_LE(past, std::chrono::steady_clock::now()) << "already past: at once";
}

}  // namespace

TEST_F(RoomTokenVerifierTest, ReadsBackWhatTheIssuerSigned) {
  auto r = verify(issue(claims()));
  ASSERT_TRUE(std::holds_alternative<RoomTokenClaims>(r)) << std::get<TokenError>(r).reason;
  const auto& c = std::get<RoomTokenClaims>(r);
  EXPECT_EQ(c.userId, "alice");
  EXPECT_EQ(c.room, kRoom);
  EXPECT_EQ(c.kind, "workspace");
  EXPECT_EQ(c.scope, RoomScope::kReadWrite);
  EXPECT_EQ(c.issuedAt, kNow - 5);
  EXPECT_EQ(c.expiresAt, kNow + 600);
}

TEST_F(RoomTokenVerifierTest, ReadsBackTheReadonlyScope) {
  auto c = claims("readonly");
  c.kind = "code";
  auto r = verify(issue(c));
  ASSERT_TRUE(std::holds_alternative<RoomTokenClaims>(r)) << std::get<TokenError>(r).reason;
  EXPECT_EQ(std::get<RoomTokenClaims>(r).scope, RoomScope::kReadOnly);
  EXPECT_EQ(std::get<RoomTokenClaims>(r).kind, "code");
}

TEST_F(RoomTokenVerifierTest, RefusesATokenForAnotherRoom) {
  auto token = issue(claims());
  EXPECT_EQ(errorOf(token, "doc:plan-43"), "token is for another room");
  // Exactly equal: no prefix, case folding or trailing bytes.
  EXPECT_EQ(errorOf(token, "doc:plan-4"), "token is for another room");
  EXPECT_EQ(errorOf(token, "DOC:PLAN-42"), "token is for another room");
  EXPECT_EQ(errorOf(token, kRoom + std::string(1, '\0')), "token is for another room");
  EXPECT_EQ(errorOf(token, ""), "token is for another room");
}

TEST_F(RoomTokenVerifierTest, RefusesAnExpiredTokenBeyondTheLeeway) {
  auto token = issue(claims("read-write", kNow - 5));
  EXPECT_EQ(errorOf(token), "");  // within the 10 s leeway
  EXPECT_EQ(errorOf(token, kRoom, kNow + kLeeway - 5), "");
  EXPECT_EQ(errorOf(token, kRoom, kNow + kLeeway - 4), "token has expired");
}

TEST_F(RoomTokenVerifierTest, HonoursNotBeforeWithTheLeeway) {
  auto token = forged(R"("aud":"onair-collab","sub":"alice","room":"doc:plan-42","kind":"item","scope":"readonly",)"
                      R"("nbf":1800000060,"exp":1800000600)");
  EXPECT_EQ(errorOf(token), "token is not valid yet");
  EXPECT_EQ(errorOf(token, kRoom, kNow + 60 - kLeeway), "");
}

TEST_F(RoomTokenVerifierTest, RefusesATokenSignedWithAnotherSecret) {
  auto token = RoomTokenIssuer("not-the-collab-secret").issue(claims());
  EXPECT_EQ(errorOf(token), "token signature is invalid");
}

TEST_F(RoomTokenVerifierTest, RefusesATamperedPayload) {
  auto token = issue(claims("readonly"));
  auto dot1 = token.find('.');
  auto dot2 = token.find('.', dot1 + 1);
  auto payload = *onair::util::base64UrlDecode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  payload.replace(payload.find("readonly"), 8, "read-write");
  EXPECT_EQ(errorOf(token.substr(0, dot1 + 1) + base64UrlEncode(payload) + token.substr(dot2)), "token signature is invalid");
}

TEST_F(RoomTokenVerifierTest, RefusesAlgNone) {
  std::string payload = R"({"aud":"onair-collab","sub":"mallory","room":"doc:plan-42","kind":"workspace",)"
                        R"("scope":"read-write","exp":1900000000})";
  EXPECT_EQ(errorOf(base64UrlEncode(R"({"alg":"none","typ":"JWT"})") + "." + base64UrlEncode(payload) + "."),
            "token algorithm must be HS256");
  // A signature made with the secret does not rescue it.
  auto signedNone = ForgedJwt::sign(R"({"alg":"none"})", payload, secret);
  EXPECT_EQ(errorOf(signedNone), "token algorithm must be HS256");
}

TEST_F(RoomTokenVerifierTest, RefusesOtherAlgorithmsEvenWhenSignedWithTheSecret) {
  const std::string payload = R"({"aud":"onair-collab","sub":"bob","room":"doc:plan-42","kind":"workspace",)"
                              R"("scope":"read-write","exp":1900000000})";
  EXPECT_EQ(errorOf(ForgedJwt::sign(R"({"alg":"HS512","typ":"JWT"})", payload, secret, true)), "token algorithm must be HS256");
  EXPECT_EQ(errorOf(ForgedJwt::sign(R"({"alg":"HS512"})", payload, secret)), "token algorithm must be HS256");
  EXPECT_EQ(errorOf(ForgedJwt::sign(R"({"alg":"hs256"})", payload, secret)), "token algorithm must be HS256");
  EXPECT_EQ(errorOf(ForgedJwt::sign(R"({"typ":"JWT"})", payload, secret)), "token algorithm must be HS256");
  EXPECT_EQ(errorOf(ForgedJwt::sign(R"({"alg":["HS256"]})", payload, secret)), "token algorithm must be HS256");
}

TEST_F(RoomTokenVerifierTest, RefusesMalformedTokens) {
  auto token = issue(claims());
  auto dot1 = token.find('.');
  EXPECT_EQ(errorOf(""), "token is empty");
  EXPECT_EQ(errorOf("a.b"), "token is not a JWT (three dot-separated parts)");
  EXPECT_EQ(errorOf(token + ".x"), "token is not a JWT (three dot-separated parts)");
  EXPECT_EQ(errorOf("!!!.???.sig"), "token header or payload is not base64url JSON");
  // The standard alphabet's '+' and '/' are not base64url.
  EXPECT_EQ(errorOf(token.substr(0, dot1) + ".eyJ+/.sig"), "token header or payload is not base64url JSON");
  // Base64url, but not a JSON object.
  EXPECT_EQ(errorOf(token.substr(0, dot1 + 1) + base64UrlEncode("[1,2]") + ".sig"),
            "token header or payload is not base64url JSON");
  // A signature that is not base64url, or not 32 bytes.
  EXPECT_EQ(errorOf(token.substr(0, token.rfind('.')) + ".***"), "token signature is invalid");
  EXPECT_EQ(errorOf(token.substr(0, token.rfind('.')) + "." + base64UrlEncode("short")), "token signature is invalid");
}

TEST_F(RoomTokenVerifierTest, RefusesHugeTokensUnparsed) {
  EXPECT_EQ(errorOf(std::string(8193, 'a')), "token is larger than 8 KiB");
  // Well signed and otherwise valid, but over the limit.
  auto c = claims();
  c.kind = std::string(7000, 'k');
  auto token = issue(c);
  ASSERT_GT(token.size(), 8192u);
  EXPECT_EQ(errorOf(token), "token is larger than 8 KiB");
}

TEST_F(RoomTokenVerifierTest, RefusesAccessTokensAndApiCredentialsSignedWithTheSameSecret) {
  // An operator may set collab.token_secret to an API secret: the audience still keeps them apart.
  onair::auth::KeyRing keys;
  keys.add("APIkey1", secret);
  onair::auth::AccessClaims a;
  a.userId = "alice";
  a.issuedAt = kNow;
  a.expiresAt = kNow + 600;
  auto access = std::get<std::string>(onair::auth::TokenIssuer(keys).issue(a));
  EXPECT_EQ(errorOf(access), "token aud must be \"onair-collab\" here; this token is for another use");
  auto api = onair::auth::TokenIssuer::signApiJwt("APIkey1", secret, kNow, 600);
  EXPECT_EQ(errorOf(api), "token aud must be \"onair-collab\" here; this token is for another use");
  // Even one that carries the room's claims.
  auto lookalike = forged(R"("aud":"onair","sub":"alice","room":"doc:plan-42","kind":"workspace","scope":"read-write",)"
                          R"("exp":1800000600)");
  EXPECT_EQ(errorOf(lookalike), "token aud must be \"onair-collab\" here; this token is for another use");
}

TEST_F(RoomTokenVerifierTest, RefusesMissingOrMistypedClaims) {
  const std::string aud = R"("aud":"onair-collab",)";
  const std::string sub = R"("sub":"alice",)";
  const std::string room = R"("room":"doc:plan-42",)";
  const std::string kind = R"("kind":"workspace",)";
  const std::string scope = R"("scope":"read-write",)";
  const std::string exp = R"("exp":1800000600)";
  EXPECT_EQ(errorOf(forged(aud + sub + room + kind + scope + exp)), "");
  EXPECT_EQ(errorOf(forged(sub + room + kind + scope + exp)),
            "token has no aud claim (tokens minted before aud existed are refused): mint a new one");
  EXPECT_EQ(errorOf(forged(R"("aud":["onair-collab"],)" + sub + room + kind + scope + exp)), "token aud must be a string");
  EXPECT_EQ(errorOf(forged(aud + room + kind + scope + exp)), "token sub must be a user id of 1 to 255 bytes");
  EXPECT_EQ(errorOf(forged(aud + R"("sub":42,)" + room + kind + scope + exp)), "token sub must be a user id of 1 to 255 bytes");
  EXPECT_EQ(errorOf(forged(aud + R"("sub":"",)" + room + kind + scope + exp)), "token sub must be a user id of 1 to 255 bytes");
  EXPECT_EQ(errorOf(forged(aud + sub + kind + scope + exp)), "token has no room claim");
  EXPECT_EQ(errorOf(forged(aud + sub + R"("room":null,)" + kind + scope + exp)), "token has no room claim");
  EXPECT_EQ(errorOf(forged(aud + sub + room + kind + exp)), "token scope must be \"read-write\" or \"readonly\"");
  EXPECT_EQ(errorOf(forged(aud + sub + room + kind + R"("scope":"admin",)" + exp)),
            "token scope must be \"read-write\" or \"readonly\"");
  EXPECT_EQ(errorOf(forged(aud + sub + room + scope + exp)), "token kind must be a string");
  EXPECT_EQ(errorOf(forged(aud + sub + room + kind + scope + R"("iat":1)")), "token has no exp");
  EXPECT_EQ(errorOf(forged(aud + sub + room + kind + scope + R"("exp":"1800000600")")), "token has no exp");
}

TEST_F(RoomTokenVerifierTest, ReadsIatWhenPresentAndZeroOtherwise) {
  auto r = verify(forged(R"("aud":"onair-collab","sub":"a","room":"doc:plan-42","kind":"item","scope":"readonly",)"
                         R"("exp":1800000600)"));
  ASSERT_TRUE(std::holds_alternative<RoomTokenClaims>(r)) << std::get<TokenError>(r).reason;
  EXPECT_EQ(std::get<RoomTokenClaims>(r).issuedAt, 0);
  EXPECT_EQ(std::get<RoomTokenClaims>(r).expiresAt, 1'800'000'600);
}
