#include "api/DemoTokenRoutes.hpp"

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/ArgReader.hpp"
#include "api/HttpReply.hpp"
#include "api/HttpRouter.hpp"
#include "api/JsonBody.hpp"
#include "api/LoopbackHost.hpp"
#include "api/TokenMinting.hpp"
#include "auth/TokenIssuer.hpp"
#include "util/Time.hpp"

namespace onair::api {
namespace {

constexpr int64_t kDemoTtlSeconds = 3600;

// 1–64 characters of [A-Za-z0-9_-], as stage ids are.
bool validStageId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// 1–64 characters of letters, digits, space and [_.-], not starting or ending with a space: a
// name a person types for a meeting room.
bool validStreamRoomName(const std::string& name) {
  if (name.empty() || name.size() > 64 || name.front() == ' ' || name.back() == ' ') return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' || c == ' ';
    if (!ok) return false;
  }
  return true;
}

bool isDemoStageId(const std::string& id) {
  return id.size() > std::char_traits<char>::length(kDemoStagePrefix) && id.rfind(kDemoStagePrefix, 0) == 0;
}

bool fromLoopback(const std::string& remote) {
  return remote.rfind("127.", 0) == 0 || remote.rfind("::1", 0) == 0 || remote.rfind("::ffff:127.", 0) == 0;
}

// Who may call a demo route: a Host header naming loopback (always), and a loopback peer when
// `loopbackOnly`. nullopt: allowed.
std::optional<ApiError> refusal(const net::HttpRequest& req, bool loopbackOnly) {
  if (!isLoopbackHost(req.host)) {
    return ApiError{ErrorCode::Permission,
                    "demo routes answer only requests addressed to localhost, 127.0.0.1 or [::1] (Host header)",
                    std::nullopt};
  }
  if (loopbackOnly && !fromLoopback(req.remote)) {
    return ApiError{ErrorCode::Permission, "demo tokens are only given to loopback callers", std::nullopt};
  }
  return std::nullopt;
}

void demoToken(const auth::TokenIssuer& issuer, const net::HttpRequest& req, HttpRouter::Respond& respond) {
  boost::system::error_code ec;
  auto body = boost::json::parse(req.body.empty() ? std::string("{}") : req.body, ec);
  if (ec || !body.is_object()) return respond(errorReply(ApiError::invalidArgument("body must be a JSON object")));
  ArgReader args(body.as_object());
  std::string user = args.string("user", 1, 64);
  auto name = args.optionalString("name", 64);
  // Optional: a participant token for a demo stage (the stage demo). The stage itself is made
  // with POST /v1/demo/stages; this only adds the grant and participantId.
  auto stageId = args.optionalString("stageId", 64);
  std::string role = args.choice("role", {"host", "viewer"}, "viewer");
  if (!args.error() && stageId && !validStageId(*stageId)) args.fail("stageId must be 1-64 characters of [A-Za-z0-9_-]");
  if (args.error()) return respond(errorReply(*args.error()));
  if (stageId && !isDemoStageId(*stageId)) {
    return respond(errorReply({ErrorCode::Permission,
                               "demo tokens only reach demo stages (ids " + std::string(kDemoStagePrefix) +
                                   "…, made with POST /v1/demo/stages); mint tokens for " + *stageId +
                                   " with POST /v1/stages/{id}/participant-tokens",
                               std::nullopt}));
  }
  std::string why;
  auth::AccessClaims claims;
  claims.userId = user;
  claims.name = name.value_or(user);
  std::vector<std::string> grants{"room:demo_*:subscribe,publish,presence,history,metadata",
                                  "channel:demo_*:subscribe,publish,history", "live:content:demo-*:publish,attach",
                                  "stream:" + std::string(kDemoStreamContext) + ":join,publish,subscribe",
                                  "collab:demo_*:read-write"};
  if (stageId) {
    grants.push_back("stage:" + *stageId + ":" + role + ",publish,subscribe");
    claims.attributes["participantId"] = "p_" + user;
  }
  auto grantSet = auth::GrantSet::fromStrings(grants, why);
  if (!grantSet) return respond(errorReply(ApiError::invalidArgument(why)));
  claims.grants = *grantSet;
  claims.issuedAt = claims.notBefore = util::epochSeconds();
  claims.expiresAt = claims.issuedAt + kDemoTtlSeconds;
  auto token = mintToken(issuer, claims);
  if (auto* e = std::get_if<ApiError>(&token)) return respond(errorReply(*e));
  respond(jsonReply(200, boost::json::object{{"token", std::get<std::string>(token)},
                                             {"expiresAt", util::isoTimeFromSeconds(claims.expiresAt)}}));
}

void demoStage(const CreateDemoStage& createStage, const net::HttpRequest& req, HttpRouter::Respond& respond) {
  auto in = jsonBody(req, respond);
  if (!in) return;
  ArgReader args(*in);
  std::string name = args.string("name", 1, 128);
  if (args.error()) return respond(errorReply(*args.error()));
  createStage(boost::json::object{{"name", name}}, replyTo(std::move(respond)));
}

void demoStreamRoom(const OpenDemoStreamRoom& openStreamRoom, const net::HttpRequest& req, HttpRouter::Respond& respond) {
  auto in = jsonBody(req, respond);
  if (!in) return;
  ArgReader args(*in);
  std::string name = args.string("name", 1, 64);
  std::string user = args.string("user", 1, 64);
  if (!args.error() && !validStreamRoomName(name)) {
    args.fail("name must be 1-64 characters of letters, digits, space and _ . - (no space at either end)");
  }
  if (args.error()) return respond(errorReply(*args.error()));
  openStreamRoom(name, user, replyTo(std::move(respond)));
}

}  // namespace

void registerDemoTokenRoutes(HttpRouter& router, const auth::TokenIssuer& issuer, bool loopbackOnly,
                             CreateDemoStage createStage, OpenDemoStreamRoom openStreamRoom) {
  router.add("POST", "/v1/demo/token", HttpRouter::Access::Public,
             [&issuer, loopbackOnly](net::EventLoop&, const net::HttpRequest& req, HttpRouter::Respond respond) {
               if (auto e = refusal(req, loopbackOnly)) return respond(errorReply(*e));
               demoToken(issuer, req, respond);
             });
  router.add("POST", "/v1/demo/stages", HttpRouter::Access::Public,
             [createStage = std::move(createStage), loopbackOnly](net::EventLoop&, const net::HttpRequest& req,
                                                                  HttpRouter::Respond respond) {
               if (auto e = refusal(req, loopbackOnly)) return respond(errorReply(*e));
               demoStage(createStage, req, respond);
             });
  router.add("POST", "/v1/demo/streams", HttpRouter::Access::Public,
             [openStreamRoom = std::move(openStreamRoom), loopbackOnly](net::EventLoop&, const net::HttpRequest& req,
                                                                        HttpRouter::Respond respond) {
               if (auto e = refusal(req, loopbackOnly)) return respond(errorReply(*e));
               demoStreamRoom(openStreamRoom, req, respond);
             });
}

}  // namespace onair::api
