#pragma once
// Routes HTTP requests by method and exact path. Routes marked ApiKey require a server API
// credential (`Authorization: Bearer <JWT signed with an API secret, iss = API key>`); a missing
// or bad one gets 401 `unauthenticated` before the handler runs.
// Registration happens before the loops start; dispatch is read-only and thread-safe.
#include <functional>
#include <map>
#include <string>
#include <utility>

#include "net/EventLoop.hpp"
#include "net/HttpMessage.hpp"

namespace onair::auth {
class TokenVerifier;
}

namespace onair::api {

class HttpRouter {
 public:
  enum class Access { Public, ApiKey };
  using Respond = std::function<void(net::HttpResponse)>;
  using Handler = std::function<void(net::EventLoop& loop, const net::HttpRequest& request, Respond respond)>;

  explicit HttpRouter(const auth::TokenVerifier& verifier) : verifier_(verifier) {}

  void add(std::string method, std::string path, Access access, Handler handler);
  // Every request whose path starts with `prefix` and matches no exact route; the handler reads
  // the method and the rest of the path itself.
  void addPrefix(std::string prefix, Access access, Handler handler);
  // Returns false when no route has this path (the caller may serve a static file instead).
  bool dispatch(net::EventLoop& loop, const net::HttpRequest& request, const Respond& respond) const;
  // Whether the request carries a valid API credential; answers 401 itself when not.
  bool authorized(const net::HttpRequest& request, const Respond& respond) const;

 private:
  struct Route {
    Access access;
    Handler handler;
  };
  const auth::TokenVerifier& verifier_;

  std::map<std::pair<std::string, std::string>, Route> routes_;  // (path, method)
  std::map<std::string, Route> prefixes_;
};

}  // namespace onair::api
