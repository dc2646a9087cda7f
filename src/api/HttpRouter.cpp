#include "api/HttpRouter.hpp"

#include <stdexcept>

#include "api/HttpReply.hpp"
#include "auth/TokenVerifier.hpp"
#include "util/Time.hpp"

namespace onair::api {

void HttpRouter::add(std::string method, std::string path, Access access, Handler handler) {
  if (!routes_.emplace(std::make_pair(path, method), Route{access, std::move(handler)}).second) {
    throw std::logic_error("HTTP route registered twice: " + method + " " + path);
  }
}

bool HttpRouter::dispatch(net::EventLoop& loop, const net::HttpRequest& request, const Respond& respond) const {
  auto it = routes_.find({request.path, request.method});
  if (it == routes_.end()) {
    auto any = routes_.lower_bound({request.path, ""});
    if (any == routes_.end() || any->first.first != request.path) return false;
    respond(errorReply({ErrorCode::InvalidArgument, "method " + request.method + " is not allowed on " + request.path, std::nullopt}));
    return true;
  }
  if (it->second.access == Access::ApiKey) {
    constexpr std::string_view kBearer = "Bearer ";
    std::string_view auth = request.authorization;
    if (auth.substr(0, kBearer.size()) != kBearer) {
      respond(errorReply({ErrorCode::Unauthenticated, "missing Authorization: Bearer <API credential>", std::nullopt}));
      return true;
    }
    auto verified = verifier_.verifyApiCredential(auth.substr(kBearer.size()), util::epochSeconds());
    if (auto* e = std::get_if<auth::TokenError>(&verified)) {
      respond(errorReply({ErrorCode::Unauthenticated, e->reason, std::nullopt}));
      return true;
    }
  }
  it->second.handler(loop, request, respond);
  return true;
}

}  // namespace onair::api
