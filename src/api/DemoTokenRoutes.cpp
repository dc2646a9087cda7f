#include "api/DemoTokenRoutes.hpp"

#include <boost/json.hpp>

#include "api/ArgReader.hpp"
#include "api/HttpReply.hpp"
#include "api/HttpRouter.hpp"
#include "auth/TokenIssuer.hpp"
#include "util/Time.hpp"

namespace onair::api {
namespace {

constexpr int64_t kDemoTtlSeconds = 3600;

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
               if (args.error()) return respond(errorReply(*args.error()));
               std::string why;
               auth::AccessClaims claims;
               claims.userId = user;
               claims.name = name.value_or(user);
               claims.grants = *auth::GrantSet::fromStrings(
                   {"room:demo_*:subscribe,publish,presence,history,metadata", "channel:demo_*:subscribe,publish,history",
                    "live:content:demo-*:publish,attach"},
                   why);
               claims.issuedAt = claims.notBefore = util::epochSeconds();
               claims.expiresAt = claims.issuedAt + kDemoTtlSeconds;
               auto token = issuer.issue(claims);
               if (!token) return respond(errorReply({ErrorCode::Internal, "no API key to sign with", std::nullopt}));
               respond(jsonReply(200, boost::json::object{{"token", *token}, {"expiresAt", util::isoTimeFromSeconds(claims.expiresAt)}}));
             });
}

}  // namespace onair::api
