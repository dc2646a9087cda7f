#include "collab/RoomTokenIssuer.hpp"

#include <boost/json.hpp>

#include "auth/JwtSigner.hpp"

namespace onair::collab {

std::string RoomTokenIssuer::issue(const RoomTokenClaims& claims) const {
  boost::json::object payload{
      {"sub", claims.userId}, {"room", claims.room},        {"kind", claims.kind},
      {"scope", claims.scope}, {"iat", claims.issuedAt}, {"exp", claims.expiresAt},
  };
  return auth::signHs256(payload, keyId_, secret_);
}

}  // namespace onair::collab
