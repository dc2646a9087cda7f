#pragma once
// The protocol state of one client connection: authentication by the first `connect`, token
// refresh (`refresh`) and expiry, request routing, bad-request accounting. Sits on a
// WsConnection as its listener; lives on its loop.
#include <boost/json/value.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/ApiError.hpp"
#include "api/Envelope.hpp"
#include "api/SessionContext.hpp"
#include "auth/AccessClaims.hpp"
#include "net/WsConnection.hpp"

namespace onair::api {

class ClientSession final : public net::WsConnection::Listener,
                            public std::enable_shared_from_this<ClientSession> {
 public:
  ClientSession(const SessionContext& context, net::EventLoop& loop, std::weak_ptr<net::WsConnection> connection);

  void onWsMessage(net::WsConnection& connection, net::WsOpcode opcode, std::string_view payload) override;
  void onWsClosed(net::WsConnection& connection, uint16_t code) override;

  // Null until `connect` succeeded.
  const auth::AccessClaims* claims() const { return claims_.get(); }
  const std::string& sessionId() const { return sessionId_; }
  // The token the claims came from (for the nodes a relay hands requests to).
  const std::string& token() const { return token_; }

  // A session standing on this node for a client connected to another node (relay/): it is
  // authenticated with the client's token under the client's session id, answers no connect,
  // and never relays further. Also takes the client's refreshed token (same user and scope).
  // False, with the reason, when the token does not verify.
  bool adopt(std::string_view token, std::string sessionId, std::string& why);
  bool relayed() const { return relayed_; }
  // Relayed sessions: the stream rooms the client's node says a live webrtc slot of this
  // connection lets it into, each with the broadcast's publishing user ("" for the server API).
  void vouch(const std::string& roomId, std::optional<std::string> producer);
  std::optional<std::string> vouchedProducer(const std::string& roomId) const;
  net::EventLoop& loop() { return loop_; }
  std::weak_ptr<net::WsConnection> connection() const { return connection_; }
  const SessionContext& context() const { return context_; }

  // Sends text on the connection if it is still open (loop thread only).
  void sendText(std::string_view text);
  // Surfaces register cleanup (leave rooms, release slots) to run when the connection closes.
  void onClosed(std::function<void()> cleanup) { cleanups_.push_back(std::move(cleanup)); }
  // Counts a client mistake; too many in the window close the connection with 1008.
  void countBadRequest();

 private:
  void handleConnect(Request request);
  void handleRefresh(Request request);
  // Verifies a token (connect and refresh alike); nullopt with the reason on failure.
  std::optional<auth::AccessClaims> verifyToken(std::string_view token, std::string& why) const;
  // The connection closes with 4011 at the token's exp + auth.leeway_seconds.
  void armExpiry(net::WsConnection& connection, int64_t exp) const;
  void replyError(const boost::json::value& id, const ApiError& error);

  const SessionContext& context_;
  net::EventLoop& loop_;
  std::weak_ptr<net::WsConnection> connection_;
  std::unique_ptr<auth::AccessClaims> claims_;
  std::string sessionId_;
  std::string token_;
  bool relayed_ = false;
  std::map<std::string, std::string> vouched_;
  std::vector<std::function<void()>> cleanups_;
  net::EventLoop::Clock::time_point badWindowStart_{};
  uint32_t badRequests_ = 0;
};

}  // namespace onair::api
