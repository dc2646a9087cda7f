#include "api/DemoTokenRoutes.hpp"

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "api/ArgReader.hpp"
#include "api/HttpReply.hpp"
#include "api/HttpRouter.hpp"
#include "auth/TokenIssuer.hpp"
#include "util/Time.hpp"

namespace onair::api {
namespace {

constexpr int64_t kDemoTtlSeconds = 3600;

// Stage ids as the stage API makes them (st_…), or any 1–64 characters of [A-Za-z0-9_-].
bool validStageId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool fromLoopback(const std::string& remote) {
  return remote.rfind("127.", 0) == 0 || remote.rfind("::1", 0) == 0 || remote.rfind("::ffff:127.", 0) == 0;
}

}  // namespace

void registerDemoTokenRoutes(HttpRouter& router, const auth::TokenIssuer& issuer, bool loopbackOnly) {
  router.add("POST", "/v1/demo/token", HttpRouter::Access::Public,
             [&issuer, loopbackOnly](net::EventLoop&, const net::HttpRequest& req, HttpRouter::Respond respond) {
               if (loopbackOnly && !fromLoopback(req.remote)) {
                 return respond(errorReply({ErrorCode::Permission, "demo tokens are only given to loopback callers", std::nullopt}));
               }
               boost::system::error_code ec;
               auto body = boost::json::parse(req.body.empty() ? std::string("{}") : req.body, ec);
               if (ec || !body.is_object()) return respond(errorReply(ApiError::invalidArgument("body must be a JSON object")));
               ArgReader args(body.as_object());
               std::string user = args.string("user", 1, 64);
               auto name = args.optionalString("name", 64);
               // Optional: a participant token for an existing stage (the stage demo). The stage
               // itself is made with POST /v1/stages; this only adds the grant and participantId.
               auto stageId = args.optionalString("stageId", 64);
               std::string role = args.choice("role", {"host", "viewer"}, "viewer");
               if (!args.error() && stageId && !validStageId(*stageId)) args.fail("stageId must be 1-64 characters of [A-Za-z0-9_-]");
               if (args.error()) return respond(errorReply(*args.error()));
               std::string why;
               auth::AccessClaims claims;
               claims.userId = user;
               claims.name = name.value_or(user);
               std::vector<std::string> grants{"room:demo_*:subscribe,publish,presence,history,metadata",
                                               "channel:demo_*:subscribe,publish,history", "live:content:demo-*:publish,attach"};
               if (stageId) {
                 grants.push_back("stage:" + *stageId + ":" + role + ",publish,subscribe");
                 claims.attributes["participantId"] = "p_" + user;
               }
               auto grantSet = auth::GrantSet::fromStrings(grants, why);
               if (!grantSet) return respond(errorReply(ApiError::invalidArgument(why)));
               claims.grants = *grantSet;
               claims.issuedAt = claims.notBefore = util::epochSeconds();
               claims.expiresAt = claims.issuedAt + kDemoTtlSeconds;
               auto token = issuer.issue(claims);
               if (!token) return respond(errorReply({ErrorCode::Internal, "no API key to sign with", std::nullopt}));
               respond(jsonReply(200, boost::json::object{{"token", *token}, {"expiresAt", util::isoTimeFromSeconds(claims.expiresAt)}}));
             });
}

}  // namespace onair::api
