#include "collab/RoomTokenIssuer.hpp"

#include <boost/json.hpp>

#include "auth/JwtSigner.hpp"
#include "auth/TokenPurpose.hpp"

namespace onair::collab {

std::string RoomTokenIssuer::issue(const RoomTokenClaims& claims) const {
  boost::json::object payload{
      {"aud", auth::audienceOf(auth::TokenPurpose::CollabRoom)},
      {"sub", claims.userId}, {"room", claims.room},        {"kind", claims.kind},
      {"scope", claims.scope}, {"iat", claims.issuedAt}, {"exp", claims.expiresAt},
  };
  return auth::signHs256(payload, "", secret_);
}

}  // namespace onair::collab
