#pragma once
// One y-websocket client (WebsocketProvider) on /v1/yjs/<room>: the socket is bound to one
// document, every binary frame is one y-websocket message (yjs/SyncMessage.hpp). The room token
// was checked at the upgrade (YjsEndpoints). Malformed messages are dropped (y-websocket has no
// error message to answer with); the connection stays up.
#include <memory>
#include <string>

#include "collab/DocumentPeer.hpp"
#include "collab/PendingMessages.hpp"
#include "net/WsConnection.hpp"

namespace onair::collab {

class YWebsocketSession final : public net::WsConnection::Listener, public std::enable_shared_from_this<YWebsocketSession> {
 public:
  YWebsocketSession(DocumentService& documents, net::WsConnection& connection, std::string room, bool readOnly);

  // Opens the document; call once the session is the connection's listener.
  void start();

  void onWsMessage(net::WsConnection& connection, net::WsOpcode opcode, std::string_view payload) override;
  void onWsClosed(net::WsConnection& connection, uint16_t code) override;

 private:
  void handle(std::string_view payload);

  DocumentService& documents_;
  net::WsConnection& connection_;
  std::shared_ptr<DocumentPeer> peer_;
  PendingMessages pending_;
};

}  // namespace onair::collab
