#pragma once
// One connection's use of one Yjs document, whatever carries it (Framing.hpp): it opens the
// document, greets the client the way the protocol's own servers do, answers sync step 1 with the
// diff, stores the client's updates (unless read-only), and keeps the awareness client ids the
// client set so that closing removes them for everyone.
//
// Greeting and replies by framing:
//   y-websocket, onair: on open, sync step 1 (the server's state vector) and the awareness states;
//                       a client step 1 is answered with step 2.
//   Hocuspocus:         on open, the awareness states; a client step 1 is answered with step 2 and,
//                       unless it came as a SyncReply, the server's own step 1; every
//                       update gets a SyncStatus (applied or refused), as @hocuspocus/server does.
// A read-only peer's updates are never stored or relayed: y-websocket and onair drop them,
// Hocuspocus answers SyncStatus false (true for an empty step 2: nothing was refused).
//
// The hub delivers the document's frames to the peer's own sink, which hands them to the
// connection: each peer has its own subscription (two peers of one room on one connection, an
// old one closing and a new one opening, never share one), and close() or the destructor ends it
// at once, so the hub never holds a peer that is gone.
//
// Threading: the connection's loop only. Messages arriving before the document is open are queued
// by the caller (opened() says when to stop). A sync step 1 is answered one at a time: another that
// arrives while one is being answered is dropped (the answer under way covers it or a later one will).
// Awareness is relayed to every peer of the document: one peer's awareness updates may take about
// kAwarenessBytesPerSecond (each counting its size plus kAwarenessMessageCost; one message as large
// as the frame limit after a quiet second); past it they are dropped — a state is superseded by
// the client's next one and renewed every 15 s, so nothing a client relies on is lost.
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <span>
#include <string>

#include "collab/DocumentService.hpp"
#include "collab/Framing.hpp"
#include "collab/yjs/SyncMessage.hpp"
#include "net/WsConnection.hpp"
#include "util/TokenBucket.hpp"

namespace onair::collab {

class DocumentPeer : public std::enable_shared_from_this<DocumentPeer> {
 public:
  // Awareness client ids one peer may set (a provider sets one): an update past it is dropped.
  static constexpr size_t kMaxAwarenessClients = 64;
  static constexpr double kAwarenessBytesPerSecond = 1 << 20;
  static constexpr double kAwarenessMessageCost = 1024;  // so at most ~1,000 small updates a second

  DocumentPeer(DocumentService& documents, net::WsConnection& connection, std::string name, Framing framing, bool readOnly);

  // Opens the document; `done(true)` once open (the greeting follows at once, after `done`),
  // `done(false)` when it could not be loaded or the peer was closed first. Call once.
  void open(std::function<void(bool)> done);
  ~DocumentPeer();
  DocumentPeer(const DocumentPeer&) = delete;
  DocumentPeer& operator=(const DocumentPeer&) = delete;
  bool opened() const { return opened_; }
  bool readOnly() const { return readOnly_; }
  const std::string& name() const { return name_; }

  // A client's y-websocket-layout message (y-websocket and onair framings); auth is ignored.
  void receive(const yjs::SyncMessage& message);
  // A client message's parts (the caller decoded the frame).
  void onSyncStep1(std::span<const uint8_t> stateVector, bool sendOwnStep1);
  void onUpdate(std::span<const uint8_t> update, bool syncStep2);
  void onAwareness(std::span<const uint8_t> encoded);
  void onQueryAwareness();

  // Sends one y-websocket-layout message in this peer's framing.
  void send(std::span<const uint8_t> message);
  // Leaves the document (idempotent); the awareness this peer set is removed for everyone.
  void close();

 private:
  // The peer's subscription: forwards hub frames to the connection.
  class Sink final : public net::FrameSink {
   public:
    explicit Sink(net::WsConnection& connection) : connection_(connection) {}
    using net::FrameSink::send;
    void send(net::OutFrame& frame) override { connection_.send(frame); }

   private:
    net::WsConnection& connection_;
  };

  void sendSyncStatus(bool applied);
  void stored(DocumentService::UpdateResult result);

  DocumentService& documents_;
  net::WsConnection& connection_;
  std::string name_;
  Framing framing_;
  bool readOnly_;
  Sink sink_;
  bool opened_ = false;
  bool closed_ = false;
  bool answeringStep1_ = false;
  std::set<uint64_t> awarenessClients_;
  util::TokenBucket awarenessBudget_;
};

}  // namespace onair::collab
