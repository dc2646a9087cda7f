#include "auth/TokenIssuer.hpp"

#include <jwt.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <memory>
#include <stdexcept>

namespace onair::auth {
namespace {

struct JwtDeleter {
  void operator()(jwt_t* j) const { jwt_free(j); }
};

std::string sign(const boost::json::object& payload, const std::string& key, const std::string& secret) {
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) throw std::runtime_error("jwt_new failed");
  std::unique_ptr<jwt_t, JwtDeleter> jwt(raw);
  if (jwt_add_grants_json(jwt.get(), boost::json::serialize(payload).c_str()) != 0) {
    throw std::runtime_error("jwt_add_grants_json failed");
  }
  jwt_add_header(jwt.get(), "kid", key.c_str());
  if (jwt_set_alg(jwt.get(), JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(secret.data()),
                  static_cast<int>(secret.size())) != 0) {
    throw std::runtime_error("jwt_set_alg failed");
  }
  char* encoded = jwt_encode_str(jwt.get());
  if (!encoded) throw std::runtime_error("jwt_encode_str failed");
  std::string out(encoded);
  std::free(encoded);  // libjwt 1.10 has no jwt_free_str
  return out;
}

}  // namespace

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
  return sign(payload, *key, *secret);
}

std::string TokenIssuer::signApiJwt(const std::string& key, const std::string& secret, int64_t now, int64_t ttlSeconds) {
  boost::json::object payload{{"iss", key}, {"iat", now}, {"nbf", now}, {"exp", now + ttlSeconds}};
  return sign(payload, key, secret);
}

}  // namespace onair::auth
