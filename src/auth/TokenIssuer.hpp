#pragma once
// Mints HS256 access tokens with libjwt (header kid = iss = the signing API key, aud "onair").
//
// Contract: a token is only handed out if TokenVerifier would take it: one over
// TokenVerifier::kMaxTokenBytes (too many or too long grants and attributes) is refused here, at
// minting, with IssueError::Reason::TooLarge, rather than failing later at `connect`.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "auth/AccessClaims.hpp"
#include "auth/KeyRing.hpp"

namespace onair::auth {

struct IssueError {
  enum class Reason { UnknownKey, TooLarge };
  Reason reason;
  std::string message;  // names the key or the size; safe to show (no secret, no token)
};

class TokenIssuer {
 public:
  explicit TokenIssuer(const KeyRing& keys) : keys_(keys) {}

  // Signs `claims` with `keyId` (or the primary key).
  std::variant<std::string, IssueError> issue(const AccessClaims& claims, std::optional<std::string> keyId = std::nullopt) const;

  // A short-lived server API credential (iss = key, aud "onair-api", no sub), as the server SDK makes.
  static std::string signApiJwt(const std::string& key, const std::string& secret, int64_t now, int64_t ttlSeconds);

 private:
  const KeyRing& keys_;
};

}  // namespace onair::auth
