#pragma once
// Ops every connection has: sys.ping, sys.echo and sys.whoami.
namespace onair::api {

class OpRouter;

void registerSystemOps(OpRouter& router);

}  // namespace onair::api
