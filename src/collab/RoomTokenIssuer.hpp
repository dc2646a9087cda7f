#pragma once
// Signs collab room tokens: HS256 JWTs with the claims {aud: "onair-collab", sub, room, kind,
// scope, iat, exp} and no `kid`. The secret is the collab secret (`collab.token_secret`, else the
// one generated in the data folder's credentials.toml), never an API secret: a Hocuspocus server
// given it can verify room tokens and mint nothing else, and the audience keeps a room token from
// passing for an access token.
#include <string>

#include "collab/RoomTokenClaims.hpp"

namespace onair::collab {

class RoomTokenIssuer {
 public:
  explicit RoomTokenIssuer(std::string secret) : secret_(std::move(secret)) {}

  // Throws std::runtime_error only if libjwt fails (out of memory).
  std::string issue(const RoomTokenClaims& claims) const;

 private:
  std::string secret_;
};

}  // namespace onair::collab
