#pragma once
// HTTP routes of live broadcasts: POST /v1/live/publish and /v1/live/unpublish (server API: it
// may change or end any entry, whoever published it, and is not counted per user) and
// POST /v1/live/release (page unload: a text/plain body {attachId, token}, as sendBeacon sends).
namespace onair::api {
class HttpRouter;
}
namespace onair::auth {
class TokenVerifier;
}

namespace onair::live {

class LiveService;

void registerLiveRoutes(api::HttpRouter& router, LiveService& service, const auth::TokenVerifier& verifier);

}  // namespace onair::live
