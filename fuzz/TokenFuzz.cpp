// libFuzzer target for onair::auth::TokenVerifier (HS256 JWTs).
//
// Every input is first verified as-is, as a token from the network. Inputs whose first byte is
// a control character (< 0x20, never part of a real token) also take the signing branch:
//   byte 0   mode (< 0x20)
//   byte 1   header variant (which alg/kid the header names)
//   byte 2   mutation applied after signing
//   byte 3.. payload JSON; with header variant 7 it is "<header JSON>\0<payload JSON>"
// The harness signs that payload with the ring's real secret, so the claim parsing past the
// signature check (exp/nbf, sub, grants, attributes) is reached.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "auth/AccessClaims.hpp"
#include "auth/GrantSet.hpp"
#include "auth/KeyRing.hpp"
#include "auth/TokenVerifier.hpp"
#include "util/Base64Url.hpp"

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

void check(bool ok) {
  if (!ok) __builtin_trap();
}

const TokenVerifier& verifier() {
  static const KeyRing* keys = [] {
    auto* k = new KeyRing;
    k->add(kKey, kSecret);
    return k;
  }();
  static const TokenVerifier v(*keys, kLeeway);
  return v;
}

// RFC 4648 §5 without padding; `standard` uses '+' and '/' instead (a wrong alphabet).
std::string b64url(std::string_view bytes, bool standard = false) {
  const char* alphabet = standard ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                                  : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += alphabet[(acc >> bits) & 63];
    }
  }
  if (bits > 0) out += alphabet[(acc << (6 - bits)) & 63];
  return out;
}

std::string hs256(std::string_view input, const std::string& secret) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  return std::string(reinterpret_cast<const char*>(mac), len);
}

// The payload's string claim `name`, read here independently of the verifier; "" if absent.
std::string payloadClaim(std::string_view token, std::string_view name) {
  auto dot1 = token.find('.');
  auto dot2 = token.find('.', dot1 + 1);
  auto bytes = onair::util::base64UrlDecode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  if (!bytes) return "";
  boost::system::error_code ec;
  auto v = boost::json::parse(*bytes, ec);
  if (ec || !v.is_object()) return "";
  auto* claim = v.as_object().if_contains(name);
  return claim && claim->is_string() ? std::string(claim->as_string()) : "";
}

// Whatever verifyAccess accepts must keep the verifier's contract.
void checkAccepted(std::string_view token, const AccessClaims& c) {
  // Meant for clients (aud), issued by the key that signed it (iss = kid).
  check(payloadClaim(token, "aud") == "onair");
  check(payloadClaim(token, "iss") == kKey);
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
    check(payloadClaim(token, "iss") == kKey);
    const std::string aud = payloadClaim(token, "aud");
    check(aud.empty() || aud == "onair-api");
    v.api = true;
  } else {
    check(!std::get<TokenError>(api).reason.empty());
  }
  // An access token always has a sub and aud "onair", an API credential neither: never both.
  check(!(v.access && v.api));
  return v;
}

void signedBranch(const uint8_t* data, size_t size) {
  const uint8_t variant = data[1] & 7;
  const uint8_t mutation = data[2];
  std::string_view body(reinterpret_cast<const char*>(data + 3), size - 3);

  std::string header;
  bool mustFail = false;  // the verifier may not accept what this variant builds
  switch (variant) {
    case 0: header = R"({"alg":"HS256","typ":"JWT","kid":"fuzzkey"})"; break;
    case 1: header = R"({"alg":"HS256","typ":"JWT"})"; break;  // key from the payload's iss
    case 2: header = R"({"alg":"HS256","kid":"otherkey"})", mustFail = true; break;
    case 3: header = R"({"alg":"none","kid":"fuzzkey"})", mustFail = true; break;
    case 4: header = R"({"alg":"HS384","kid":"fuzzkey"})", mustFail = true; break;
    case 5: header = R"({"typ":"JWT","kid":"fuzzkey","alg":"HS256","x5u":{"a":[1,2,null]}})"; break;
    case 6: header = R"({"alg":"HS256","kid":42})"; break;  // not a string: falls back to iss
    default: {
      auto nul = body.find('\0');
      header = std::string(body.substr(0, nul));
      body = nul == std::string_view::npos ? std::string_view{} : body.substr(nul + 1);
    }
  }

  const bool standardAlphabet = (mutation & 7) == 6;
  std::string signingInput = b64url(header) + "." + b64url(body, standardAlphabet);
  if ((mutation & 7) == 3) signingInput += "==";  // padding the verifier tolerates
  const std::string& secret = (mutation & 7) == 5 ? std::string("not-the-secret") : kSecret;
  std::string token = signingInput + "." + b64url(hs256(signingInput, secret));

  switch (mutation & 7) {
    case 1: {  // change one character (the last ones may only touch spare bits)
      size_t at = (mutation >> 3) % token.size();
      token[at] = token[at] == 'A' ? 'B' : 'A';
      break;
    }
    case 2:  // no signature at all
      token.resize(signingInput.size() + 1);
      mustFail = true;
      break;
    case 4:  // a fourth part
      token += ".AAAA";
      mustFail = true;
      break;
    case 5:
      mustFail = true;
      break;
    case 7:  // truncated
      token.resize((mutation >> 3) * token.size() / 32);
      break;
    default:
      break;
  }

  Verdict v = verifyBoth(token);
  if (mustFail) check(!v.access && !v.api);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  verifyBoth(std::string_view(reinterpret_cast<const char*>(data), size));
  if (size >= 3 && data[0] < 0x20) signedBranch(data, size);
  return 0;
}
