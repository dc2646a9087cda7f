#pragma once
// WebSocket connection settings shared by every connection of a loop (from config `ws.*`).
#include <chrono>
#include <cstddef>

#include "net/WsCodec.hpp"

namespace onair::net {

struct WsSettings {
  WsLimits limits;
  size_t sendQueueBytes = 4 << 20;  // over this a connection is closed with 4008
  std::chrono::milliseconds pingInterval{20000};
  std::chrono::milliseconds pingTimeout{10000};
  std::chrono::milliseconds connectTimeout{5000};
  std::chrono::milliseconds closeTimeout{2000};  // how long a closing handshake may take
};

}  // namespace onair::net
