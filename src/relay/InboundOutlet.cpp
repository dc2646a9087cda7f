#include "relay/InboundOutlet.hpp"

namespace onair::relay {

void InboundOutlet::deliver(std::string frames) {
  send_(clientNode_, RelayMessage{RelayMessage::Kind::Frames, {}, sessionId_, 0, std::move(frames)});
}

void InboundOutlet::closed(uint16_t code, std::string_view reason) {
  send_(clientNode_, RelayMessage{RelayMessage::Kind::Closed, {}, sessionId_, code, std::string(reason)});
  if (onClosed_) onClosed_();
}

}  // namespace onair::relay
