#pragma once
// The client ops of stages (docs/protocol.md "Stages"): the actor comes from the token's stage
// grant (`host` or `viewer`, plus `publish`/`subscribe`), then StageService.
namespace onair::api {
class OpRouter;
}

namespace onair::stage {

class StageService;

void registerStageOps(api::OpRouter& router, StageService& service);

}  // namespace onair::stage
