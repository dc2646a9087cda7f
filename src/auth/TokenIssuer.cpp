#include "auth/TokenIssuer.hpp"

#include <boost/json.hpp>

#include "auth/JwtSigner.hpp"

namespace onair::auth {

std::optional<std::string> TokenIssuer::issue(const AccessClaims& claims, std::optional<std::string> keyId) const {
  auto key = keyId ? keyId : keys_.primaryKey();
  if (!key) return std::nullopt;
  const std::string* secret = keys_.secretOf(*key);
  if (!secret) return std::nullopt;
  boost::json::object payload;
  payload["iss"] = *key;
  payload["sub"] = claims.userId;
  if (!claims.name.empty()) payload["name"] = claims.name;
  payload["iat"] = claims.issuedAt;
  payload["nbf"] = claims.notBefore;
  payload["exp"] = claims.expiresAt;
  if (claims.scope) payload["scope"] = *claims.scope;
  payload["grants"] = claims.grants.toJson();
  if (!claims.attributes.empty()) {
    boost::json::object attrs;
    for (const auto& [k, v] : claims.attributes) attrs[k] = v;
    payload["attributes"] = std::move(attrs);
  }
  return signHs256(payload, *key, *secret);
}

std::string TokenIssuer::signApiJwt(const std::string& key, const std::string& secret, int64_t now, int64_t ttlSeconds) {
  boost::json::object payload{{"iss", key}, {"iat", now}, {"nbf", now}, {"exp", now + ttlSeconds}};
  return signHs256(payload, key, secret);
}

}  // namespace onair::auth
