#pragma once
// The Yjs WebSocket paths on the gateway:
//   /v1/yjs/<room>?token=<room token>   y-websocket (WebsocketProvider with params {token});
//                                        the token is checked at the upgrade: a bad one is told
//                                        with y-protocols' permission-denied auth message, then
//                                        the socket closes with 4003
//   /v1/hocuspocus                       Hocuspocus (HocuspocusProvider), tokens per document
// A y-websocket socket closes with 4011 when its token expires (plus auth.leeway_seconds).
#include <cstdint>

#include "api/Gateway.hpp"
#include "collab/DocumentService.hpp"
#include "collab/RoomTokenVerifier.hpp"

namespace onair::collab {

void registerYjsEndpoints(api::Gateway& gateway, DocumentService& documents, const RoomTokenVerifier& verifier);

}  // namespace onair::collab
