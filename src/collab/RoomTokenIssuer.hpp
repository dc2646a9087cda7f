#pragma once
// Signs collab room tokens: HS256 JWTs with header kid = the API key and the claims
// {sub, room, kind, scope, iat, exp}. The secret is `collab.token_secret`, or the API key's
// secret when that is empty, so a Hocuspocus server given the same secret can verify them.
#include <string>

#include "collab/RoomTokenClaims.hpp"

namespace onair::collab {

class RoomTokenIssuer {
 public:
  RoomTokenIssuer(std::string keyId, std::string secret) : keyId_(std::move(keyId)), secret_(std::move(secret)) {}

  // Throws std::runtime_error only if libjwt fails (out of memory).
  std::string issue(const RoomTokenClaims& claims) const;

  const std::string& keyId() const { return keyId_; }

 private:
  std::string keyId_;
  std::string secret_;
};

}  // namespace onair::collab
