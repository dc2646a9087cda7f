#pragma once
// The client ops of collab credentials (docs/protocol.md, "Collab credentials"):
// collab.token mints a short-lived room JWT for a Yjs room, collab.turnCredentials hands out
// coturn REST credentials.
#include "collab/CollabSettings.hpp"

namespace onair::api {
class OpRouter;
}
namespace onair::auth {
class KeyRing;
}

namespace onair::collab {

// Room tokens are signed with the primary key of `keys` (its id as kid); the key ring is read
// once here and not kept.
void registerCollabOps(api::OpRouter& router, const auth::KeyRing& keys, CollabSettings settings);

}  // namespace onair::collab
