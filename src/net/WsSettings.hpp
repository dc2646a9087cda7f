#pragma once
// WebSocket connection settings shared by every connection of a loop (from config `ws.*`).
#include <algorithm>
#include <chrono>
#include <cstddef>

#include "net/WsCodec.hpp"

namespace onair::net {

struct WsSettings {
  WsLimits limits;
  // Before `connect` succeeds, a frame and a whole message may hold at most this many bytes
  // (and never more than `limits`): an unauthenticated peer cannot make us buffer more.
  size_t maxPreconnectMessageBytes = 16 << 10;
  size_t sendQueueBytes = 4 << 20;  // over this a connection is closed with 4008
  std::chrono::milliseconds pingInterval{20000};
  std::chrono::milliseconds pingTimeout{10000};
  std::chrono::milliseconds connectTimeout{5000};
  std::chrono::milliseconds closeTimeout{2000};  // how long a closing handshake may take

  // The limits that apply before the session has authenticated.
  WsLimits preconnectLimits() const {
    return {std::min(limits.maxFrameBytes, maxPreconnectMessageBytes),
            std::min(limits.maxMessageBytes, maxPreconnectMessageBytes)};
  }
};

}  // namespace onair::net
