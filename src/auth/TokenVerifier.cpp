#include "auth/TokenVerifier.hpp"

#include <jwt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <memory>

#include "util/Base64Url.hpp"

namespace onair::auth {
namespace {

constexpr size_t kMaxJsonDepth = 8;

std::optional<boost::json::object> parseObject(std::string_view b64) {
  auto bytes = util::base64UrlDecode(b64);
  if (!bytes) return std::nullopt;
  boost::json::parse_options opts;
  opts.max_depth = kMaxJsonDepth;
  boost::system::error_code ec;
  auto v = boost::json::parse(*bytes, ec, {}, opts);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

std::optional<int64_t> intClaim(const boost::json::object& o, std::string_view name) {
  auto it = o.find(name);
  if (it == o.end()) return std::nullopt;
  if (it->value().is_int64()) return it->value().as_int64();
  if (it->value().is_uint64() && it->value().as_uint64() <= INT64_MAX) return static_cast<int64_t>(it->value().as_uint64());
  if (it->value().is_double()) {
    // Out-of-range doubles would make the cast undefined: treat them as absent.
    double d = it->value().as_double();
    if (!(d >= -9.0e18 && d <= 9.0e18)) return std::nullopt;
    return static_cast<int64_t>(d);
  }
  return std::nullopt;
}

std::optional<std::string> stringClaim(const boost::json::object& o, std::string_view name) {
  auto it = o.find(name);
  if (it == o.end() || !it->value().is_string()) return std::nullopt;
  return std::string(it->value().as_string());
}

// Constant-time HMAC check, so the comparison leaks nothing about the expected signature.
bool signatureMatches(std::string_view signingInput, std::string_view signatureB64, const std::string& secret) {
  auto given = util::base64UrlDecode(signatureB64);
  if (!given || given->size() != 32) return false;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int macLen = 0;
  if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
            reinterpret_cast<const unsigned char*>(signingInput.data()), signingInput.size(), mac, &macLen)) {
    return false;
  }
  return macLen == 32 && CRYPTO_memcmp(mac, given->data(), 32) == 0;
}

struct JwtDeleter {
  void operator()(jwt_t* j) const { jwt_free(j); }
};

// The `aud` check: the token must say it is meant for `purpose`.
std::optional<TokenError> audienceError(const boost::json::object& payload, TokenPurpose purpose) {
  const std::string_view wanted = audienceOf(purpose);
  auto it = payload.find("aud");
  if (it == payload.end()) {
    if (purpose == TokenPurpose::ApiCredential) return std::nullopt;  // older API credentials have none
    return TokenError{"token has no aud claim (tokens minted before aud existed are refused): mint a new one"};
  }
  if (!it->value().is_string()) return TokenError{"token aud must be a string"};
  if (it->value().as_string() != wanted) {
    return TokenError{"token aud must be \"" + std::string(wanted) + "\" here; this token is for another use"};
  }
  return std::nullopt;
}

}  // namespace

struct TokenVerifier::Verified {
  boost::json::object payload;
  std::string keyId;
};

std::variant<TokenVerifier::Verified, TokenError> TokenVerifier::verifySigned(std::string_view token, TokenPurpose purpose,
                                                                            int64_t now) const {
  // Step 1: shape. Exactly three base64url parts, bounded size.
  if (token.empty()) return TokenError{"token is empty"};
  if (token.size() > kMaxTokenBytes) return TokenError{"token is larger than 8 KiB"};
  auto dot1 = token.find('.');
  auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return TokenError{"token is not a JWT (three dot-separated parts)"};
  }
  auto header = parseObject(token.substr(0, dot1));
  auto payload = parseObject(token.substr(dot1 + 1, dot2 - dot1 - 1));
  if (!header || !payload) return TokenError{"token header or payload is not base64url JSON"};
  // Step 2: pin the algorithm before anything else.
  auto alg = stringClaim(*header, "alg");
  if (!alg || *alg != "HS256") return TokenError{"token algorithm must be HS256"};
  // Step 3: pick the key by kid, else iss.
  auto kid = stringClaim(*header, "kid");
  auto iss = stringClaim(*payload, "iss");
  if (!kid) kid = iss;
  if (!kid) return TokenError{"token names no key (kid or iss)"};
  const std::string* secret = keys_.secretOf(*kid);
  if (!secret) return TokenError{"token is signed with an unknown key"};
  // Step 4: signature, in constant time; then libjwt must agree on the whole token.
  if (!signatureMatches(token.substr(0, dot2), token.substr(dot2 + 1), *secret)) {
    return TokenError{"token signature is invalid"};
  }
  jwt_t* raw = nullptr;
  std::string tokenCopy(token);
  if (jwt_decode(&raw, tokenCopy.c_str(), reinterpret_cast<const unsigned char*>(secret->data()),
                 static_cast<int>(secret->size())) != 0) {
    return TokenError{"token signature is invalid"};
  }
  std::unique_ptr<jwt_t, JwtDeleter> jwt(raw);
  if (jwt_get_alg(jwt.get()) != JWT_ALG_HS256) return TokenError{"token algorithm must be HS256"};
  // Step 5: time window, with leeway for clock skew.
  auto exp = intClaim(*payload, "exp");
  if (!exp) return TokenError{"token has no exp"};
  if (now - leeway_ > *exp) return TokenError{"token has expired"};  // no overflow near INT64_MAX
  if (auto nbf = intClaim(*payload, "nbf"); nbf && now + leeway_ < *nbf) return TokenError{"token is not valid yet"};
  // Step 6: the issuer is the key that signed it, and the token is meant for this entry point.
  if (!iss || *iss != *kid) return TokenError{"token iss must be the API key that signed it (its kid)"};
  if (auto e = audienceError(*payload, purpose)) return *e;
  return Verified{std::move(*payload), std::move(*kid)};
}

std::variant<AccessClaims, TokenError> TokenVerifier::verifyAccess(std::string_view token, int64_t now) const {
  auto checked = verifySigned(token, TokenPurpose::Access, now);
  if (auto* e = std::get_if<TokenError>(&checked)) return *e;
  auto& v = std::get<Verified>(checked);
  AccessClaims claims;
  claims.keyId = v.keyId;
  auto sub = stringClaim(v.payload, "sub");
  if (!sub || sub->empty() || sub->size() > 255) return TokenError{"token sub must be a user id of 1 to 255 bytes"};
  claims.userId = std::move(*sub);
  claims.name = stringClaim(v.payload, "name").value_or("");
  claims.scope = stringClaim(v.payload, "scope");
  claims.issuedAt = intClaim(v.payload, "iat").value_or(0);
  claims.notBefore = intClaim(v.payload, "nbf").value_or(0);
  claims.expiresAt = *intClaim(v.payload, "exp");
  if (auto it = v.payload.find("grants"); it != v.payload.end()) {
    std::string why;
    auto grants = GrantSet::fromJson(it->value(), why);
    if (!grants) return TokenError{"token grants are invalid: " + why};
    claims.grants = std::move(*grants);
  }
  if (auto it = v.payload.find("attributes"); it != v.payload.end()) {
    if (!it->value().is_object()) return TokenError{"token attributes must be an object of strings"};
    for (const auto& [k, val] : it->value().as_object()) {
      if (!val.is_string()) return TokenError{"token attributes must be an object of strings"};
      claims.attributes.emplace(std::string(k), std::string(val.as_string()));
    }
  }
  return claims;
}

std::variant<std::string, TokenError> TokenVerifier::verifyApiCredential(std::string_view token, int64_t now) const {
  auto checked = verifySigned(token, TokenPurpose::ApiCredential, now);
  if (auto* e = std::get_if<TokenError>(&checked)) return *e;
  auto& v = std::get<Verified>(checked);
  // Client access tokens are signed with the same keys; they always carry `sub`, API
  // credentials never do. With `aud` optional here (older credentials), this check is what keeps
  // a client's token, old or new, away from the server API.
  if (v.payload.contains("sub")) return TokenError{"an access token cannot authenticate the server API"};
  return v.keyId;
}

}  // namespace onair::auth
