#pragma once
// Development-only routes for the demo pages in web/, so they work without an app backend:
//
//   POST /v1/demo/token   {user, name?, stageId?, role?} → {token, expiresAt}
//   POST /v1/demo/stages  {name}                         → the stage, with an id "demo_…"
//   POST /v1/demo/streams {name, user}                   → {streamRoomId, contextId, name}: the
//                         stream room called `name` in the context "demo", with `user` among its users
//
// Demo tokens reach demo resources only: rooms and channels named demo_*, broadcasts named
// content:demo-*, demo stages (ids demo_…, which only POST /v1/demo/stages makes; the server
// API's stages are st_…) and stream rooms of the context "demo" (join, publish, subscribe; never
// manage). Any other stageId is refused with `permission`. Tokens are valid one hour.
//
// Both routes exist only when enabled: `dev.demo_tokens = "auto"` (the default) enables them
// while onair runs on its generated development key and only for loopback peers; "on" always;
// "off" never. In every mode the request's Host header must name loopback (localhost,
// 127.0.0.0/8, [::1]), so a DNS-rebinding page cannot reach them from a browser: 403 `permission`.
#include <boost/json/object.hpp>
#include <functional>
#include <string>

#include "api/Reply.hpp"

namespace onair::auth {
class TokenIssuer;
}

namespace onair::api {

class HttpRouter;

// Creates a stage from `settings` ({name}) with an id starting with kDemoStagePrefix.
using CreateDemoStage = std::function<void(boost::json::object settings, Reply reply)>;

// Gives the stream room called `name` (validated) of the demo context, with `user` among its users.
using OpenDemoStreamRoom = std::function<void(const std::string& name, const std::string& user, Reply reply)>;

inline constexpr const char* kDemoStagePrefix = "demo_";
// The stream context of demo tokens and of the rooms POST /v1/demo/streams gives.
inline constexpr const char* kDemoStreamContext = "demo";

void registerDemoTokenRoutes(HttpRouter& router, const auth::TokenIssuer& issuer, bool loopbackOnly,
                             CreateDemoStage createStage, OpenDemoStreamRoom openStreamRoom);

}  // namespace onair::api
