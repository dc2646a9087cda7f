#include "live/LiveRoutes.hpp"

#include <boost/json.hpp>

#include "api/ArgReader.hpp"
#include "api/Reply.hpp"
#include "api/HttpReply.hpp"
#include "api/JsonBody.hpp"
#include "api/HttpRouter.hpp"
#include "auth/TokenVerifier.hpp"
#include "live/LiveArgs.hpp"
#include "live/LiveService.hpp"
#include "util/Time.hpp"

namespace onair::live {
namespace {

using api::ApiError;
using api::ErrorCode;
using Respond = api::HttpRouter::Respond;

using api::replyTo;

}  // namespace

void registerLiveRoutes(api::HttpRouter& router, LiveService& service, const auth::TokenVerifier& verifier) {
  using Access = api::HttpRouter::Access;
  router.add("POST", "/v1/live/publish", Access::ApiKey, [&service](net::EventLoop&, const net::HttpRequest& req, Respond respond) {
    auto body = api::jsonBody(req, respond);
    if (!body) return;
    auto parsed = LiveArgs::publish(service, *body);
    if (auto* e = std::get_if<ApiError>(&parsed)) return respond(api::errorReply(*e));
    // No userId: the server API may change any entry; one it opens belongs to no user.
    service.publish(std::move(std::get<PublishRequest>(parsed)), replyTo(respond));
  });
  router.add("POST", "/v1/live/unpublish", Access::ApiKey, [&service](net::EventLoop&, const net::HttpRequest& req, Respond respond) {
    auto body = api::jsonBody(req, respond);
    if (!body) return;
    api::ArgReader args(*body);
    std::string liveId = args.string("liveId", 1, 255);
    if (args.error()) return respond(api::errorReply(*args.error()));
    if (auto e = service.checkLiveId(liveId)) return respond(api::errorReply(*e));
    service.unpublish(liveId, "", replyTo(respond));  // the server API may end any entry
  });
  // sendBeacon posts text/plain; the access token in the body proves whose slot it is.
  router.add("POST", "/v1/live/release", Access::Public, [&service, &verifier](net::EventLoop&, const net::HttpRequest& req, Respond respond) {
    auto body = api::jsonBody(req, respond);
    if (!body) return;
    api::ArgReader args(*body);
    std::string attachId = args.string("attachId", 1, 700);
    std::string token = args.string("token", 1, auth::TokenVerifier::kMaxTokenBytes);
    if (args.error()) return respond(api::errorReply(*args.error()));
    auto claims = verifier.verifyAccess(token, util::epochSeconds());
    if (auto* e = std::get_if<auth::TokenError>(&claims)) return respond(api::errorReply({ErrorCode::Unauthenticated, e->reason, std::nullopt}));
    const auto& access = std::get<auth::AccessClaims>(claims);
    service.release(attachId, access.userId, access.scope, [respond](api::Result r) {
      if (auto* e = std::get_if<ApiError>(&r)) return respond(api::errorReply(*e));
      respond({204, "application/json", "", {}});
    });
  });
}

}  // namespace onair::live
