// libFuzzer target for onair::auth::TokenVerifier (HS256 JWTs).
//
// Every input is first verified as-is, as a token from the network. Inputs whose first byte is
// a control character (< 0x20, never part of a real token) also take the signing branch
// (JwtForge.hpp: byte 1 picks the header, byte 2 the mutation, the rest is the payload JSON). The
// harness signs that payload with the ring's real secret, so the claim parsing past the signature
// check (exp/nbf, sub, grants, attributes) is reached.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "JwtForge.hpp"
#include "auth/AccessClaims.hpp"
#include "auth/GrantSet.hpp"
#include "auth/KeyRing.hpp"
#include "auth/TokenVerifier.hpp"
#include "FuzzCheck.hpp"

using onair::auth::AccessClaims;
using onair::auth::GrantSet;
using onair::auth::KeyRing;
using onair::auth::TokenError;
using onair::auth::TokenVerifier;

namespace {

constexpr int64_t kNow = 1700000000;
constexpr int64_t kLeeway = 10;
const std::string kKey = "fuzzkey";
const std::string kSecret = "fuzz-secret-0123456789abcdef";

const TokenVerifier& verifier() {
  static const KeyRing* keys = [] {
    auto* k = new KeyRing;
    k->add(kKey, kSecret);
    return k;
  }();
  static const TokenVerifier v(*keys, kLeeway);
  return v;
}

// Whatever verifyAccess accepts must keep the verifier's contract.
void checkAccepted(std::string_view token, const AccessClaims& c) {
  // Meant for clients (aud), issued by the key that signed it (iss = kid).
  check(JwtForge::payloadClaim(token, "aud") == "onair");
  check(JwtForge::payloadClaim(token, "iss") == kKey);
  check(!c.userId.empty() && c.userId.size() <= 255);
  check(c.keyId == kKey);
  check(kNow - kLeeway <= c.expiresAt);
  // Grants survive their JSON form unchanged, and matching never misbehaves.
  std::string why;
  auto again = GrantSet::fromJson(c.grants.toJson(), why);
  check(again.has_value());
  check(again->toStrings() == c.grants.toStrings());
  for (const auto& g : c.grants.grants()) {
    (void)c.grants.allows(g.surface(), g.pattern(), g.actions().empty() ? "" : g.actions().front());
    (void)c.grants.allows(g.surface(), c.userId, "publish");
  }
}

struct Verdict {
  bool access = false;
  bool api = false;
};

Verdict verifyBoth(std::string_view token) {
  Verdict v;
  auto access = verifier().verifyAccess(token, kNow);
  if (auto* claims = std::get_if<AccessClaims>(&access)) {
    checkAccepted(token, *claims);
    v.access = true;
  } else {
    check(!std::get<TokenError>(access).reason.empty());
  }
  auto api = verifier().verifyApiCredential(token, kNow);
  if (auto* key = std::get_if<std::string>(&api)) {
    check(*key == kKey);
    check(JwtForge::payloadClaim(token, "iss") == kKey);
    const std::string aud = JwtForge::payloadClaim(token, "aud");
    check(aud.empty() || aud == "onair-api");
    v.api = true;
  } else {
    check(!std::get<TokenError>(api).reason.empty());
  }
  // An access token always has a sub and aud "onair", an API credential neither: never both.
  check(!(v.access && v.api));
  return v;
}

// Headers the signing branch picks from (JwtForge.hpp); variant 7 is the input's own.
constexpr JwtForge::Header kHeaders[7] = {
    {R"({"alg":"HS256","typ":"JWT","kid":"fuzzkey"})", false},
    {R"({"alg":"HS256","typ":"JWT"})", false},  // key from the payload's iss
    {R"({"alg":"HS256","kid":"otherkey"})", true},
    {R"({"alg":"none","kid":"fuzzkey"})", true},
    {R"({"alg":"HS384","kid":"fuzzkey"})", true},
    {R"({"typ":"JWT","kid":"fuzzkey","alg":"HS256","x5u":{"a":[1,2,null]}})", false},
    {R"({"alg":"HS256","kid":42})", false},  // not a string: falls back to iss
};

void signedBranch(const uint8_t* data, size_t size) {
  auto forged = JwtForge::forge(data, size, kHeaders, kSecret);
  Verdict v = verifyBoth(forged.token);
  if (forged.mustFail) check(!v.access && !v.api);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  verifyBoth(std::string_view(reinterpret_cast<const char*>(data), size));
  if (size >= 3 && data[0] < 0x20) signedBranch(data, size);
  return 0;
}
