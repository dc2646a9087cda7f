#include "auth/TokenVerifier.hpp"

#include <boost/json.hpp>

namespace onair::auth {

struct TokenVerifier::Verified {
  Hs256Jwt jwt;
  std::string keyId;
};

std::variant<TokenVerifier::Verified, TokenError> TokenVerifier::verifySigned(std::string_view token, TokenPurpose purpose,
                                                                            int64_t now) const {
  // Shape and alg, before any key is looked at.
  auto parsed = Hs256Jwt::parse(token);
  if (auto* e = std::get_if<TokenError>(&parsed)) return *e;
  auto& jwt = std::get<Hs256Jwt>(parsed);
  // Pick the key by kid, else iss.
  auto kid = jwt.headerString("kid");
  auto iss = jwt.stringClaim("iss");
  if (!kid) kid = iss;
  if (!kid) return TokenError{"token names no key (kid or iss)"};
  const std::string* secret = keys_.secretOf(*kid);
  if (!secret) return TokenError{"token is signed with an unknown key"};
  // Signature and time window.
  if (auto e = jwt.verify(*secret, now, leeway_)) return *e;
  // The issuer is the key that signed it, and the token is meant for this entry point.
  if (!iss || *iss != *kid) return TokenError{"token iss must be the API key that signed it (its kid)"};
  if (auto e = jwt.audienceError(purpose)) return *e;
  return Verified{std::move(jwt), std::move(*kid)};
}

std::variant<AccessClaims, TokenError> TokenVerifier::verifyAccess(std::string_view token, int64_t now) const {
  auto checked = verifySigned(token, TokenPurpose::Access, now);
  if (auto* e = std::get_if<TokenError>(&checked)) return *e;
  auto& v = std::get<Verified>(checked);
  AccessClaims claims;
  claims.keyId = v.keyId;
  auto sub = v.jwt.subject();
  if (auto* e = std::get_if<TokenError>(&sub)) return *e;
  claims.userId = std::move(std::get<std::string>(sub));
  claims.name = v.jwt.stringClaim("name").value_or("");
  claims.scope = v.jwt.stringClaim("scope");
  claims.issuedAt = v.jwt.intClaim("iat").value_or(0);
  claims.notBefore = v.jwt.intClaim("nbf").value_or(0);
  claims.expiresAt = *v.jwt.intClaim("exp");
  const auto& payload = v.jwt.payload();
  if (auto it = payload.find("grants"); it != payload.end()) {
    std::string why;
    auto grants = GrantSet::fromJson(it->value(), why);
    if (!grants) return TokenError{"token grants are invalid: " + why};
    claims.grants = std::move(*grants);
  }
  if (auto it = payload.find("attributes"); it != payload.end()) {
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
  if (v.jwt.payload().contains("sub")) return TokenError{"an access token cannot authenticate the server API"};
  return v.keyId;
}

}  // namespace onair::auth
