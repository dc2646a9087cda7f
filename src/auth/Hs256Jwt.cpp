#include "auth/Hs256Jwt.hpp"

#include <jwt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/json.hpp>
#include <memory>

#include "util/Base64Url.hpp"

namespace onair::auth {
namespace {

constexpr size_t kMaxJsonDepth = 8;
constexpr size_t kSha256Bytes = 32;
constexpr size_t kMaxSubjectBytes = 255;

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

std::optional<std::string> stringIn(const boost::json::object& o, std::string_view name) {
  auto it = o.find(name);
  if (it == o.end() || !it->value().is_string()) return std::nullopt;
  return std::string(it->value().as_string());
}

struct JwtDeleter {
  void operator()(jwt_t* j) const { jwt_free(j); }
};

}  // namespace

std::variant<Hs256Jwt, TokenError> Hs256Jwt::parse(std::string_view token) {
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
  // Step 2: pin the algorithm before any key is looked at or any signature computed.
  auto alg = stringIn(*header, "alg");
  if (!alg || *alg != "HS256") return TokenError{"token algorithm must be HS256"};
  return Hs256Jwt(std::string(token), dot2 + 1, std::move(*header), std::move(*payload));
}

// Constant-time HMAC check, so the comparison leaks nothing about the expected signature.
bool Hs256Jwt::signatureMatches(const std::string& secret) const {
  auto given = util::base64UrlDecode(std::string_view(token_).substr(signatureAt_));
  if (!given || given->size() != kSha256Bytes) return false;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int macLen = 0;
  if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
            reinterpret_cast<const unsigned char*>(token_.data()), signatureAt_ - 1, mac, &macLen)) {
    return false;
  }
  return macLen == kSha256Bytes && CRYPTO_memcmp(mac, given->data(), kSha256Bytes) == 0;
}

std::optional<TokenError> Hs256Jwt::verify(const std::string& secret, int64_t now, int64_t leewaySeconds) const {
  // Step 3: signature, in constant time; then libjwt must agree on the whole token.
  if (!signatureMatches(secret)) return TokenError{"token signature is invalid"};
  jwt_t* raw = nullptr;
  if (jwt_decode(&raw, token_.c_str(), reinterpret_cast<const unsigned char*>(secret.data()),
                 static_cast<int>(secret.size())) != 0) {
    return TokenError{"token signature is invalid"};
  }
  std::unique_ptr<jwt_t, JwtDeleter> jwt(raw);
  if (jwt_get_alg(jwt.get()) != JWT_ALG_HS256) return TokenError{"token algorithm must be HS256"};
  // Step 4: time window, with leeway for clock skew.
  auto exp = intClaim("exp");
  if (!exp) return TokenError{"token has no exp"};
  if (now - leewaySeconds > *exp) return TokenError{"token has expired"};  // no overflow near INT64_MAX
  if (auto nbf = intClaim("nbf"); nbf && now + leewaySeconds < *nbf) return TokenError{"token is not valid yet"};
  return std::nullopt;
}

std::optional<TokenError> Hs256Jwt::audienceError(TokenPurpose purpose) const {
  const std::string_view wanted = audienceOf(purpose);
  auto it = payload_.find("aud");
  if (it == payload_.end()) {
    if (purpose == TokenPurpose::ApiCredential) return std::nullopt;  // older API credentials have none
    return TokenError{"token has no aud claim (tokens minted before aud existed are refused): mint a new one"};
  }
  if (!it->value().is_string()) return TokenError{"token aud must be a string"};
  if (it->value().as_string() != wanted) {
    return TokenError{"token aud must be \"" + std::string(wanted) + "\" here; this token is for another use"};
  }
  return std::nullopt;
}

std::variant<std::string, TokenError> Hs256Jwt::subject() const {
  auto sub = stringClaim("sub");
  if (!sub || sub->empty() || sub->size() > kMaxSubjectBytes) return TokenError{"token sub must be a user id of 1 to 255 bytes"};
  return std::move(*sub);
}

std::optional<std::string> Hs256Jwt::stringClaim(std::string_view name) const { return stringIn(payload_, name); }

std::optional<std::string> Hs256Jwt::headerString(std::string_view name) const { return stringIn(header_, name); }

std::optional<int64_t> Hs256Jwt::intClaim(std::string_view name) const {
  auto it = payload_.find(name);
  if (it == payload_.end()) return std::nullopt;
  const auto& v = it->value();
  if (v.is_int64()) return v.as_int64();
  if (v.is_uint64() && v.as_uint64() <= INT64_MAX) return static_cast<int64_t>(v.as_uint64());
  if (v.is_double()) {
    // Out-of-range doubles would make the cast undefined: treat them as absent.
    double d = v.as_double();
    if (!(d >= -9.0e18 && d <= 9.0e18)) return std::nullopt;
    return static_cast<int64_t>(d);
  }
  return std::nullopt;
}

}  // namespace onair::auth
