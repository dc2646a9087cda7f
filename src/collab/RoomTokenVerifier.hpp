#pragma once
// Verifies collab room tokens as RoomTokenIssuer mints them: HS256 JWTs signed with the collab
// secret, no `kid`, claims {aud: "onair-collab", sub, room, kind, scope, iat, exp}. onair's own Yjs
// rooms (y-websocket and Hocuspocus paths) call it before a client may open a room.
//
// Contract: the token checks of auth::Hs256Jwt (8 KiB limit, alg pinned to HS256 before any
// signature is computed, constant-time signature, `exp` required, `nbf` honoured, with leeway);
// then `aud` must be "onair-collab" (an access token or API credential never passes, even when
// the collab secret equals an API secret); the `room` claim must equal the room asked for, byte
// for byte; `scope` must be RoomScope::kReadWrite or kReadOnly; `sub` a user id of 1 to 255 bytes
// and `kind` a string. `iat` is read when present (0 otherwise).
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "auth/TokenError.hpp"
#include "collab/RoomTokenClaims.hpp"

namespace onair::collab {

class RoomTokenVerifier {
 public:
  RoomTokenVerifier(std::string secret, int64_t leewaySeconds) : secret_(std::move(secret)), leeway_(leewaySeconds) {}

  // The token's claims when it is a valid room token for `room` at `now` (unix seconds); else a
  // reason safe to show and log (never the token or the secret).
  std::variant<RoomTokenClaims, auth::TokenError> verify(std::string_view token, std::string_view room, int64_t now) const;
  // When a connection that verified `claims` at `now` (unix seconds) closes: `exp` plus the
  // leeway, on the steady clock (at once when already past).
  std::chrono::steady_clock::time_point closesAt(const RoomTokenClaims& claims, int64_t now) const;

 private:
  std::string secret_;
  int64_t leeway_;
};

}  // namespace onair::collab
