#pragma once
// Hands requests for objects that live on another node to that node (multi-node signaling:
// relay/SignalRelay implements it). ClientSession asks it about every request of an
// authenticated client connection before routing the request here.
//
// Threading: called on the session's loop.
#include <string_view>

#include "api/Envelope.hpp"

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
};

}  // namespace onair::api
