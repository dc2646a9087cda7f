#pragma once
// What every client session shares: the router, the token verifier and the protocol limits.
// One instance per server, read-only after start-up.
#include <chrono>
#include <cstdint>

namespace onair::auth {
class TokenVerifier;
}

namespace onair::api {

class OpRouter;
class RequestRelay;

struct SessionContext {
  const OpRouter* router = nullptr;
  const auth::TokenVerifier* verifier = nullptr;
  uint32_t badRequestLimit = 20;
  std::chrono::milliseconds badRequestWindow{10000};
  std::chrono::milliseconds pingInterval{20000};
  std::chrono::milliseconds pingTimeout{10000};
  // auth.leeway_seconds: a connection closes (4011) this long after its token's exp.
  std::chrono::seconds tokenLeeway{10};
  // Several nodes (Redis engine): requests for stages and stream rooms owned by another node go
  // there. Null with one node.
  RequestRelay* relay = nullptr;
};

}  // namespace onair::api
