#include "collab/HocuspocusSession.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "collab/Framing.hpp"
#include "util/Time.hpp"

namespace onair::collab {

HocuspocusSession::HocuspocusSession(DocumentService& documents, net::WsConnection& connection, const RoomTokenVerifier& verifier)
    : documents_(documents),
      connection_(connection),
      verifier_(verifier),
      statelessBudget_(static_cast<double>(documents.options().messages.maxMessageBytes) + kStatelessMessageCost, kStatelessBytesPerSecond) {}

void HocuspocusSession::onWsMessage(net::WsConnection&, net::WsOpcode opcode, std::string_view payload) {
  if (opcode != net::WsOpcode::Binary) return;  // the provider sends binary frames only
  handle(payload);
}

void HocuspocusSession::handle(std::string_view payload) {
  auto message = yjs::HocuspocusMessage::decode(bytesOf(payload), documents_.options().messages);
  if (!message) {
    spdlog::debug("collab: dropped a Hocuspocus message: {}", yjs::describe(message.error()));
    return;
  }
  const std::string name(message->documentName);
  auto it = open_.find(name);
  if (it == open_.end()) {
    using Type = yjs::HocuspocusMessage::Type;
    if (message->type == Type::Auth && message->authType == yjs::HocuspocusMessage::AuthType::Token) authenticate(name, message->text);
    return;
  }
  Document& document = it->second;
  if (document.peer->opened()) return dispatch(document, *message);
  if (pendingBytes() + payload.size() > kMaxPendingBytes || !document.pending.push(payload)) {
    connection_.close(net::wsclose::PolicyViolation, "too many messages before the document opened");
  }
}

size_t HocuspocusSession::pendingBytes() const {
  size_t total = 0;
  for (const auto& [name, document] : open_) total += document.pending.bytes();
  return total;
}

void HocuspocusSession::authenticate(const std::string& name, std::string_view token) {
  if (open_.size() >= kMaxDocuments) {
    return sendFrame(yjs::HocuspocusMessage::permissionDenied(name, "too many documents on one connection"));
  }
  auto verified = verifier_.verify(token, name, util::epochSeconds());
  if (auto* error = std::get_if<auth::TokenError>(&verified)) {
    return sendFrame(yjs::HocuspocusMessage::permissionDenied(name, error->reason));
  }
  const auto& claims = std::get<RoomTokenClaims>(verified);
  const bool readOnly = claims.scope == RoomScope::kReadOnly;
  expiresAt_ = std::min(expiresAt_, verifier_.closesAt(claims, util::epochSeconds()));
  connection_.setExpiry(expiresAt_);
  connection_.markEstablished(documents_.socketLimits(connection_.loop().wsSettings().limits));
  sendFrame(yjs::HocuspocusMessage::authenticated(name, readOnly));
  auto peer = std::make_shared<DocumentPeer>(documents_, connection_, name, Framing::Hocuspocus, readOnly);
  open_[name].peer = peer;
  std::weak_ptr<HocuspocusSession> weak = weak_from_this();
  peer->open([weak, name, peer = std::weak_ptr<DocumentPeer>(peer)](bool opened) {
    auto self = weak.lock();
    if (!self) return;
    auto it = self->open_.find(name);
    if (it == self->open_.end() || it->second.peer != peer.lock()) return;
    if (!opened) {
      self->open_.erase(it);
      return self->sendFrame(yjs::HocuspocusMessage::close(name, "the document could not be loaded: try again"));
    }
    for (const auto& pending : it->second.pending.take()) self->handle(pending);
  });
}

void HocuspocusSession::dispatch(Document& document, const yjs::HocuspocusMessage& message) {
  using Type = yjs::HocuspocusMessage::Type;
  DocumentPeer& peer = *document.peer;
  switch (message.type) {
    case Type::Sync:
    case Type::SyncReply:
      if (message.sync.step == yjs::SyncStep::Step1) return peer.onSyncStep1(message.sync.bytes, message.type == Type::Sync);
      return peer.onUpdate(message.sync.bytes, message.sync.step == yjs::SyncStep::Step2);
    case Type::Awareness:
      return peer.onAwareness(message.awareness);
    case Type::QueryAwareness:
      return peer.onQueryAwareness();
    case Type::BroadcastStateless:
      return broadcastStateless(peer.name(), message.text);
    case Type::Close: {
      const std::string name = peer.name();
      peer.close();
      open_.erase(name);
      return;
    }
    case Type::Auth:       // already authenticated (a provider re-created fast): nothing to do
    case Type::Stateless:  // no server hook here
    case Type::SyncStatus:
      return;
  }
}

void HocuspocusSession::broadcastStateless(const std::string& name, std::string_view text) {
  if (!statelessBudget_.take(static_cast<double>(text.size()) + kStatelessMessageCost, util::TokenBucket::Clock::now())) {
    spdlog::info("collab: closed a Hocuspocus socket sending broadcast stateless messages faster than {} bytes/s", kStatelessBytesPerSecond);
    return connection_.close(net::wsclose::PolicyViolation, "broadcast stateless messages too fast");
  }
  documents_.broadcastStateless(name, std::string(text));
}

void HocuspocusSession::sendFrame(const yjs::HocuspocusMessage& message) {
  if (!connection_.open()) return;
  connection_.send(binaryFrame(message.encode()));
}

void HocuspocusSession::onWsClosed(net::WsConnection&, uint16_t) {
  for (auto& [name, document] : open_) document.peer->close();
  open_.clear();
}

}  // namespace onair::collab
