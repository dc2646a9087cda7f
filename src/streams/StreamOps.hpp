#pragma once
// The client ops of stream rooms (docs/protocol.md "Stream rooms"): the actor is the token's
// user (`sub`) with its `stream:<contextId>` grants, then StreamService.
namespace onair::api {
class OpRouter;
}

namespace onair::streams {

class StreamService;

void registerStreamOps(api::OpRouter& router, StreamService& service);

}  // namespace onair::streams
