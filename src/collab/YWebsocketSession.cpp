#include "collab/YWebsocketSession.hpp"

#include <spdlog/spdlog.h>

#include "collab/Framing.hpp"

namespace onair::collab {

YWebsocketSession::YWebsocketSession(DocumentService& documents, net::WsConnection& connection, std::string room, bool readOnly)
    : documents_(documents),
      connection_(connection),
      peer_(std::make_shared<DocumentPeer>(documents, connection, std::move(room), Framing::YWebsocket, readOnly)) {}

void YWebsocketSession::start() {
  std::weak_ptr<YWebsocketSession> weak = weak_from_this();
  peer_->open([weak](bool opened) {
    auto self = weak.lock();
    if (!self) return;
    if (!opened) return self->connection_.close(net::wsclose::InternalError, "the document could not be loaded: try again");
    for (const auto& message : self->pending_.take()) self->handle(message);
  });
}

void YWebsocketSession::onWsMessage(net::WsConnection& connection, net::WsOpcode opcode, std::string_view payload) {
  if (opcode != net::WsOpcode::Binary) return;  // y-websocket sends binary frames only
  if (peer_->opened()) return handle(payload);
  if (!pending_.push(payload)) connection.close(net::wsclose::PolicyViolation, "too many messages before the document opened");
}

void YWebsocketSession::handle(std::string_view payload) {
  auto message = yjs::SyncMessage::decode(bytesOf(payload), documents_.options().messages);
  if (!message) {
    spdlog::debug("collab: dropped a y-websocket message for {}: {}", peer_->name(), yjs::describe(message.error()));
    return;
  }
  peer_->receive(*message);
}

void YWebsocketSession::onWsClosed(net::WsConnection&, uint16_t) { peer_->close(); }

}  // namespace onair::collab
