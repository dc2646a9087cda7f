#pragma once
// The server API of stages under /v1/stages (docs/http-api.md "Stages"): create, get, list,
// update, delete, participant tokens, participants, disconnect.
namespace onair::api {
class HttpRouter;
}
namespace onair::auth {
class TokenIssuer;
}

namespace onair::stage {

class StageService;

void registerStageRoutes(api::HttpRouter& router, StageService& service, const auth::TokenIssuer& issuer);

}  // namespace onair::stage
