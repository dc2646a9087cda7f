#include "auth/TokenIssuer.hpp"

#include <boost/json.hpp>

#include "auth/JwtSigner.hpp"
#include "auth/TokenPurpose.hpp"
#include "auth/TokenVerifier.hpp"

namespace onair::auth {

std::variant<std::string, IssueError> TokenIssuer::issue(const AccessClaims& claims, std::optional<std::string> keyId) const {
  auto key = keyId ? keyId : keys_.primaryKey();
  const std::string* secret = key ? keys_.secretOf(*key) : nullptr;
  if (!secret) {
    return IssueError{IssueError::Reason::UnknownKey,
                      key ? "unknown API key '" + *key + "'" : std::string("no API key is configured to sign tokens")};
  }
  boost::json::object payload;
  payload["iss"] = *key;
  payload["aud"] = audienceOf(TokenPurpose::Access);
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
  std::string token = signHs256(payload, *key, *secret);
  if (token.size() > TokenVerifier::kMaxTokenBytes) {
    return IssueError{IssueError::Reason::TooLarge,
                      "the token would be " + std::to_string(token.size()) + " bytes, over the " +
                          std::to_string(TokenVerifier::kMaxTokenBytes) +
                          " bytes onair accepts: use fewer or shorter grants, attributes and names"};
  }
  return token;
}

std::string TokenIssuer::signApiJwt(const std::string& key, const std::string& secret, int64_t now, int64_t ttlSeconds) {
  boost::json::object payload{{"iss", key},
                              {"aud", audienceOf(TokenPurpose::ApiCredential)},
                              {"iat", now},
                              {"nbf", now},
                              {"exp", now + ttlSeconds}};
  return signHs256(payload, key, secret);
}

}  // namespace onair::auth
