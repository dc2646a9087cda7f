#pragma once
// What a collab room token says (docs/protocol.md, "Collab credentials"): who may open which Yjs
// room, of which kind, with which scope, until when. onair's own Yjs rooms and an external
// Hocuspocus server read the same claims.
#include <cstdint>
#include <string>

namespace onair::collab {

struct RoomTokenClaims {
  std::string userId;     // sub
  std::string room;       // room
  std::string kind;       // kind: "workspace" | "item" | "code"
  std::string scope;      // scope: "read-write" | "readonly"
  int64_t issuedAt = 0;   // iat (unix seconds)
  int64_t expiresAt = 0;  // exp (unix seconds)
};

}  // namespace onair::collab
