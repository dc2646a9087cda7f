#pragma once
// One @hocuspocus/provider socket on /v1/hocuspocus: many documents share it, every frame names
// its document (yjs/HocuspocusMessage.hpp). A document is opened by its auth message: the room
// token must name that document; the answer is Authenticated with the token's scope
// ("readonly" | "read-write") or PermissionDenied with the reason, as @hocuspocus/server answers.
// Messages for a document not authenticated on this socket are dropped; messages for one being
// opened wait for it. A client's BroadcastStateless goes to every Hocuspocus connection of the
// document (on every node) as a Stateless message, within kStatelessBytesPerSecond (each message
// costing its size plus kStatelessMessageCost, up to one largest message at once): past it the
// socket closes with 1008, as nothing bounds the fan-out otherwise (Hocuspocus has no such limit,
// readonly clients included). A plain Stateless has no server hook here and is dropped. CLOSE leaves the document, the socket stays. The socket closes with 4011 when the
// earliest token it authenticated a document with expires (after the auth leeway): the provider
// reconnects and authenticates its documents again with its token (a function that fetches a
// fresh one keeps it going).
#include <memory>
#include <string>
#include <unordered_map>

#include "collab/DocumentPeer.hpp"
#include "collab/PendingMessages.hpp"
#include "collab/RoomScope.hpp"
#include "collab/RoomTokenVerifier.hpp"
#include "collab/yjs/HocuspocusMessage.hpp"
#include "net/WsConnection.hpp"
#include "util/TokenBucket.hpp"

namespace onair::collab {

class HocuspocusSession final : public net::WsConnection::Listener, public std::enable_shared_from_this<HocuspocusSession> {
 public:
  // Documents one socket may have open at once; an auth message past it is denied.
  static constexpr size_t kMaxDocuments = 1000;
  // Bytes of messages waiting for their documents to open, all documents of the socket together.
  static constexpr size_t kMaxPendingBytes = 8 << 20;
  // BroadcastStateless sent by one socket, all documents together.
  static constexpr double kStatelessBytesPerSecond = 1 << 20;
  static constexpr double kStatelessMessageCost = 1024;  // so at most ~1,000 small messages a second

  HocuspocusSession(DocumentService& documents, net::WsConnection& connection, const RoomTokenVerifier& verifier);

  void onWsMessage(net::WsConnection& connection, net::WsOpcode opcode, std::string_view payload) override;
  void onWsClosed(net::WsConnection& connection, uint16_t code) override;

 private:
  struct Document {
    std::shared_ptr<DocumentPeer> peer;
    PendingMessages pending;
  };

  void handle(std::string_view payload);
  void authenticate(const std::string& name, std::string_view token);
  void dispatch(Document& document, const yjs::HocuspocusMessage& message);
  void sendFrame(const yjs::HocuspocusMessage& message);

  DocumentService& documents_;
  net::WsConnection& connection_;
  const RoomTokenVerifier& verifier_;
  net::EventLoop::Clock::time_point expiresAt_ = net::EventLoop::Clock::time_point::max();
  std::unordered_map<std::string, Document> open_;
  util::TokenBucket statelessBudget_;
  size_t pendingBytes() const;
  void broadcastStateless(const std::string& name, std::string_view text);
};

}  // namespace onair::collab
