#pragma once
// The output of a connection standing on this node for another node's client (SignalRelay):
// its frames and its own close go back to the client's node as relay messages.
#include <functional>
#include <string>

#include "net/WsConnection.hpp"
#include "relay/RelayMessage.hpp"

namespace onair::relay {

class InboundOutlet final : public net::WsConnection::Outlet {
 public:
  using Send = std::function<void(const std::string& toNode, RelayMessage message)>;
  // `onClosed` runs after the Closed message is sent (the relay forgets the connection).
  InboundOutlet(std::string clientNode, std::string sessionId, Send send, std::function<void()> onClosed)
      : clientNode_(std::move(clientNode)), sessionId_(std::move(sessionId)), send_(std::move(send)), onClosed_(std::move(onClosed)) {}

  void deliver(std::string frames) override;
  void closed(uint16_t code, std::string_view reason) override;

 private:
  std::string clientNode_;
  std::string sessionId_;
  Send send_;
  std::function<void()> onClosed_;
};

}  // namespace onair::relay
