#include "stage/StageRoutes.hpp"

#include <boost/json.hpp>

#include "api/ArgReader.hpp"
#include "api/HttpReply.hpp"
#include "api/JsonBody.hpp"
#include "api/QueryArgs.hpp"
#include "api/HttpRouter.hpp"
#include "api/Reply.hpp"
#include "api/TokenMinting.hpp"
#include "auth/TokenIssuer.hpp"
#include "stage/StageService.hpp"
#include "util/Random.hpp"
#include "util/Time.hpp"

namespace onair::stage {
namespace {

using api::ApiError;
using api::ErrorCode;
using api::replyTo;
using Respond = api::HttpRouter::Respond;
namespace json = boost::json;

// Checks stage settings (create and update); fills `out` with what is allowed.
std::optional<ApiError> settings(const json::object& in, json::object& out, bool creating) {
  api::ArgReader args(in);
  if (auto name = creating ? std::optional(args.string("name", 1, 128)) : args.optionalString("name", 128)) out["name"] = *name;
  if (auto v = args.optionalInteger("maxPublishers", 1, 100)) out["maxPublishers"] = *v;
  if (auto v = args.optionalInteger("maxParticipants", 0, 10000000)) out["maxParticipants"] = *v;
  for (const char* k : {"recording", "composition"}) {
    if (const auto* o = args.optionalObject(k)) out[k] = *o;
  }
  return args.error();
}

void participantToken(StageService& service, const auth::TokenIssuer& issuer, const std::string& stageId, json::object in,
                      Respond respond) {
  api::ArgReader args(in);
  std::string userId = args.string("userId", 1, 255);
  int64_t duration = args.integer("duration", 1, 20160, 720);
  std::string role = args.choice("role", {"host", "viewer"}, "viewer");
  const auto* attributes = args.optionalObject("attributes");
  std::vector<std::string> caps{"PUBLISH", "SUBSCRIBE"};
  if (auto it = in.find("capabilities"); it != in.end()) {
    caps.clear();
    if (!it->value().is_array()) args.fail("capabilities must be an array of PUBLISH and/or SUBSCRIBE");
    else {
      for (const auto& c : it->value().as_array()) {
        if (!c.is_string() || (c.as_string() != "PUBLISH" && c.as_string() != "SUBSCRIBE")) {
          args.fail("capabilities entries must be PUBLISH or SUBSCRIBE");
          break;
        }
        caps.emplace_back(c.as_string());
      }
    }
  }
  auth::AccessClaims claims;
  if (attributes) {
    for (const auto& [k, v] : *attributes) {
      if (!v.is_string()) args.fail("attributes must be an object of strings");
      else claims.attributes[std::string(k)] = std::string(v.as_string());
    }
  }
  if (args.error()) return respond(api::errorReply(*args.error()));
  // The stage must exist; then mint an ordinary access token scoped to it.
  service.get(stageId, [&issuer, stageId, userId, duration, role, caps, claims, respond](api::Result r) mutable {
    if (auto* e = std::get_if<ApiError>(&r)) return respond(api::errorReply(*e));
    std::string actions = role;
    for (const auto& c : caps) actions += c == "PUBLISH" ? ",publish" : ",subscribe";
    std::string why;
    claims.grants = *auth::GrantSet::fromStrings({"stage:" + stageId + ":" + actions}, why);
    std::string participantId = util::randomId("p_", 9);
    claims.attributes["participantId"] = participantId;
    claims.userId = userId;
    claims.name = userId;
    claims.issuedAt = claims.notBefore = util::epochSeconds();
    claims.expiresAt = claims.issuedAt + duration * 60;
    auto token = api::mintToken(issuer, claims);
    if (auto* e = std::get_if<ApiError>(&token)) return respond(api::errorReply(*e));
    respond(api::jsonReply(200, json::object{{"token", std::get<std::string>(token)}, {"participantId", participantId}, {"userId", userId},
                                             {"expirationTime", util::isoTimeFromSeconds(claims.expiresAt)}}));
  });
}

}  // namespace

void registerStageRoutes(api::HttpRouter& router, StageService& service, const auth::TokenIssuer& issuer) {
  using Access = api::HttpRouter::Access;
  router.add("POST", "/v1/stages", Access::ApiKey, [&service](net::EventLoop&, const net::HttpRequest& req, Respond respond) {
    auto in = api::jsonBody(req, respond);
    if (!in) return;
    json::object s;
    if (auto e = settings(*in, s, true)) return respond(api::errorReply(*e));
    service.create(std::move(s), replyTo(respond));
  });
  router.add("GET", "/v1/stages", Access::ApiKey, [&service](net::EventLoop&, const net::HttpRequest&, Respond respond) {
    service.list(replyTo(respond));
  });
  router.addPrefix("/v1/stages/", Access::ApiKey, [&service, &issuer](net::EventLoop&, const net::HttpRequest& req, Respond respond) {
    auto seg = api::QueryArgs::segments(req.path, 2);  // after "v1", "stages"
    if (seg.empty() || seg[0].empty() || seg[0].size() > 64) return respond(api::errorReply({ErrorCode::NotFound, "name a stage: /v1/stages/{id}", std::nullopt}));
    const std::string& id = seg[0];
    if (seg.size() == 1 && req.method == "GET") return service.get(id, replyTo(respond));
    if (seg.size() == 1 && req.method == "DELETE") return service.remove(id, replyTo(respond));
    if (seg.size() == 1 && req.method == "PATCH") {
      auto in = api::jsonBody(req, respond);
      if (!in) return;
      json::object s;
      if (auto e = settings(*in, s, false)) return respond(api::errorReply(*e));
      return service.update(id, std::move(s), replyTo(respond));
    }
    if (seg.size() == 2 && seg[1] == "participant-tokens" && req.method == "POST") {
      auto in = api::jsonBody(req, respond);
      if (!in) return;
      return participantToken(service, issuer, id, std::move(*in), respond);
    }
    if (seg.size() == 2 && seg[1] == "participants" && req.method == "GET") return service.participantsOf(id, replyTo(respond));
    if (seg.size() == 2 && seg[1] == "stats" && req.method == "GET") return service.stats(id, replyTo(respond));
    if (seg.size() == 4 && seg[1] == "participants" && seg[3] == "disconnect" && req.method == "POST") {
      auto in = api::jsonBody(req, respond);
      if (!in) return;
      api::ArgReader args(*in);
      auto reason = args.optionalString("reason", 255);
      if (args.error()) return respond(api::errorReply(*args.error()));
      return service.disconnect(id, seg[2], reason.value_or(""), replyTo(respond));
    }
    respond(api::errorReply({ErrorCode::NotFound, "no such route: " + req.method + " " + req.path, std::nullopt}));
  });
}

}  // namespace onair::stage
