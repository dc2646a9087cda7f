#pragma once
// Mints HS256 access tokens with libjwt (header kid = iss = the signing API key).
#include <optional>
#include <string>

#include "auth/AccessClaims.hpp"
#include "auth/KeyRing.hpp"

namespace onair::auth {

class TokenIssuer {
 public:
  explicit TokenIssuer(const KeyRing& keys) : keys_(keys) {}

  // Signs `claims` with `keyId` (or the primary key). Returns nullopt if the key is unknown.
  std::optional<std::string> issue(const AccessClaims& claims, std::optional<std::string> keyId = std::nullopt) const;

  // A short-lived server API credential (iss = key, no sub), as the server SDK makes.
  static std::string signApiJwt(const std::string& key, const std::string& secret, int64_t now, int64_t ttlSeconds);

 private:
  const KeyRing& keys_;
};

}  // namespace onair::auth
