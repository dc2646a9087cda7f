#pragma once
// Hands requests for objects that live on another node to that node (multi-node signaling:
// relay/SignalRelay implements it). ClientSession asks it about every request of an
// authenticated client connection before routing the request here; the Gateway asks it about
// every HTTP request.
//
// Threading: called on the session's (the HTTP connection's) loop.
#include <functional>
#include <string_view>

#include "api/Envelope.hpp"
#include "net/HttpMessage.hpp"

namespace onair::net {
class EventLoop;
}

namespace onair::api {

class ClientSession;

class RequestRelay {
 public:
  virtual ~RequestRelay() = default;
  // True when the relay took the request (it answers it, here or through another node); false
  // when it is this node's to route now. `payload` is the request's text as the client sent it.
  virtual bool take(ClientSession& session, Request& request, std::string_view payload) = 0;
  // The session's token was refreshed: nodes that hold requests of it must know.
  virtual void refreshed(ClientSession& session) = 0;

  using Respond = std::function<void(net::HttpResponse)>;
  using ServeHere = std::function<void(net::HttpRequest, Respond)>;
  // Whether the request carries a valid API credential; answers 401 through `respond` when not.
  using Authorize = std::function<bool(const net::HttpRequest&, const Respond&)>;
  // True when the relay took the HTTP request: it answers through `respond`, having served it
  // on the node owning what it names, or here through `here`. False: serve it here now. Only
  // authorized requests (`authorize`) cost the engine anything.
  virtual bool takeHttp(net::EventLoop& loop, net::HttpRequest& request, Respond& respond, ServeHere here,
                        const Authorize& authorize) = 0;
};

}  // namespace onair::api
