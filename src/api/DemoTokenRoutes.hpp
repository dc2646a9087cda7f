#pragma once
// POST /v1/demo/token {user, name?} → {token, expiresAt}: tokens for the demo pages in web/, so
// they work without an app backend. Only for rooms and channels named demo_* and broadcasts
// named content:demo-*, valid one hour,
// and only when enabled: `dev.demo_tokens = "auto"` (the default) enables it while onair runs on
// its generated development key and only for loopback callers; "on" always; "off" never.
namespace onair::auth {
class TokenIssuer;
}

namespace onair::api {

class HttpRouter;

void registerDemoTokenRoutes(HttpRouter& router, const auth::TokenIssuer& issuer, bool loopbackOnly);

}  // namespace onair::api
