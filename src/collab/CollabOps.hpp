#pragma once
// The client ops of collab credentials (docs/protocol.md, "Collab credentials"):
// collab.token mints a short-lived room JWT for a Yjs room, collab.turnCredentials hands out
// coturn REST credentials.
#include "collab/CollabSettings.hpp"

namespace onair::api {
class OpRouter;
}
namespace onair::collab {

// Room tokens are signed with `settings.tokenSecret` (the app fills it from collab.token_secret or
// the generated credentials file); without one, collab.token answers `internal`.
void registerCollabOps(api::OpRouter& router, CollabSettings settings);

}  // namespace onair::collab
