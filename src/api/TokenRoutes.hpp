#pragma once
// POST /v1/tokens: mint a client access token (server API, API key required).
//   request  {userId, ttl (seconds), grants: ["room:project_*:publish,subscribe", …],
//             name?, scope?, attributes?: {k: "v"}}
//   response {token, expiresAt (ISO-8601)}
//   413 payload_too_large when the token would be over the 8 KiB the verifier accepts.
#include <cstdint>

namespace onair::auth {
class TokenIssuer;
}

namespace onair::api {

class HttpRouter;

void registerTokenRoutes(HttpRouter& router, const auth::TokenIssuer& issuer, int64_t maxTtlSeconds);

}  // namespace onair::api
