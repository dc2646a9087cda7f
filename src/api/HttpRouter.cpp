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

void HttpRouter::addPrefix(std::string prefix, Access access, Handler handler) {
  if (!prefixes_.emplace(prefix, Route{access, std::move(handler)}).second) throw std::logic_error("HTTP prefix registered twice: " + prefix);
}

bool HttpRouter::authorized(const net::HttpRequest& request, const Respond& respond) const {
  constexpr std::string_view kBearer = "Bearer ";
  std::string_view auth = request.authorization;
  if (auth.substr(0, kBearer.size()) != kBearer) {
    respond(errorReply({ErrorCode::Unauthenticated, "missing Authorization: Bearer <API credential>", std::nullopt}));
    return false;
  }
  auto verified = verifier_.verifyApiCredential(auth.substr(kBearer.size()), util::epochSeconds());
  if (auto* e = std::get_if<auth::TokenError>(&verified)) {
    respond(errorReply({ErrorCode::Unauthenticated, e->reason, std::nullopt}));
    return false;
  }
  return true;
}

bool HttpRouter::dispatch(net::EventLoop& loop, const net::HttpRequest& request, const Respond& respond) const {
  const Route* route = nullptr;
  if (auto it = routes_.find({request.path, request.method}); it != routes_.end()) {
    route = &it->second;
  } else if (auto any = routes_.lower_bound({request.path, ""}); any != routes_.end() && any->first.first == request.path) {
    respond(errorReply({ErrorCode::InvalidArgument, "method " + request.method + " is not allowed on " + request.path, std::nullopt}));
    return true;
  } else {
    for (const auto& [prefix, r] : prefixes_) {
      if (request.path.rfind(prefix, 0) == 0) route = &r;
    }
  }
  if (!route) return false;
  if (route->access == Access::ApiKey && !authorized(request, respond)) return true;
  route->handler(loop, request, respond);
  return true;
}

}  // namespace onair::api
