#include "collab/RoomTokenVerifier.hpp"

#include <algorithm>

#include "auth/Hs256Jwt.hpp"
#include "auth/TokenPurpose.hpp"
#include "collab/RoomScope.hpp"

namespace onair::collab {

std::variant<RoomTokenClaims, auth::TokenError> RoomTokenVerifier::verify(std::string_view token, std::string_view room,
                                                                          int64_t now) const {
  using auth::TokenError;
  // Shape, alg, signature with the collab secret, time window.
  auto parsed = auth::Hs256Jwt::parse(token);
  if (auto* e = std::get_if<TokenError>(&parsed)) return *e;
  const auto& jwt = std::get<auth::Hs256Jwt>(parsed);
  if (auto e = jwt.verify(secret_, now, leeway_)) return *e;
  // Meant for a collab room, and for this one.
  if (auto e = jwt.audienceError(auth::TokenPurpose::CollabRoom)) return *e;
  auto tokenRoom = jwt.stringClaim("room");
  if (!tokenRoom) return TokenError{"token has no room claim"};
  if (*tokenRoom != room) return TokenError{"token is for another room"};
  // Who, with which scope, on which kind of room.
  auto sub = jwt.subject();
  if (auto* e = std::get_if<TokenError>(&sub)) return *e;
  auto scope = jwt.stringClaim("scope");
  if (!scope || (*scope != RoomScope::kReadWrite && *scope != RoomScope::kReadOnly)) {
    return TokenError{"token scope must be \"read-write\" or \"readonly\""};
  }
  auto kind = jwt.stringClaim("kind");
  if (!kind) return TokenError{"token kind must be a string"};
  RoomTokenClaims claims;
  claims.userId = std::move(std::get<std::string>(sub));
  claims.room = std::move(*tokenRoom);
  claims.kind = std::move(*kind);
  claims.scope = std::move(*scope);
  claims.issuedAt = jwt.intClaim("iat").value_or(0);
  claims.expiresAt = *jwt.intClaim("exp");  // verify() refused tokens without it
  return claims;
}

std::chrono::steady_clock::time_point RoomTokenVerifier::closesAt(const RoomTokenClaims& claims, int64_t now) const {
  const int64_t left = std::max<int64_t>(claims.expiresAt + leeway_ - now, 0);
  return std::chrono::steady_clock::now() + std::chrono::seconds(left);
}

}  // namespace onair::collab
