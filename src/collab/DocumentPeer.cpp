#include "collab/DocumentPeer.hpp"

#include <spdlog/spdlog.h>

#include "collab/yjs/AwarenessUpdate.hpp"
#include "collab/yjs/HocuspocusMessage.hpp"
#include "collab/yjs/Lib0Writer.hpp"
#include "collab/yjs/SyncMessage.hpp"

namespace onair::collab {

namespace {

// The WebSocket close code asking a client to come back later (RFC 6455 registry: Try Again Later).
constexpr uint16_t kTryAgainLater = 1013;

}  // namespace

DocumentPeer::DocumentPeer(DocumentService& documents, net::WsConnection& connection, std::string name, Framing framing, bool readOnly)
    : documents_(documents),
      connection_(connection),
      name_(std::move(name)),
      framing_(framing),
      readOnly_(readOnly),
      sink_(connection),
      awarenessBudget_(static_cast<double>(documents.options().messages.maxMessageBytes) + kAwarenessMessageCost, kAwarenessBytesPerSecond) {}

DocumentPeer::~DocumentPeer() { close(); }

void DocumentPeer::open(std::function<void(bool)> done) {
  std::weak_ptr<DocumentPeer> weak = weak_from_this();
  const size_t shard = connection_.loop().index();
  documents_.open(shard, name_, framing_, &sink_, weak, [weak, done = std::move(done)](engine::Outcome<DocumentService::Opened> outcome) {
    auto self = weak.lock();
    if (!self) return;
    if (self->closed_) {  // left while opening: undo the open
      if (std::holds_alternative<DocumentService::Opened>(outcome)) {
        self->documents_.close(self->connection_.loop().index(), self->name_, self->framing_, &self->sink_, {});
      }
      return done(false);
    }
    if (auto* error = std::get_if<engine::EngineError>(&outcome)) {
      spdlog::warn("collab: {} could not be opened: {}", self->name_, error->message);
      self->closed_ = true;
      return done(false);
    }
    auto& opened = std::get<DocumentService::Opened>(outcome);
    self->opened_ = true;
    done(true);  // first: an onair client learns the room is open before its first frame arrives
    if (self->closed_) return;
    if (self->framing_ != Framing::Hocuspocus) self->send(yjs::SyncMessage::syncStep1(opened.stateVector).encode());
    if (!opened.awareness.empty()) self->send(yjs::SyncMessage::awarenessUpdate(opened.awareness).encode());
  });
}

void DocumentPeer::receive(const yjs::SyncMessage& message) {
  using Type = yjs::SyncMessage::Type;
  switch (message.type) {
    case Type::Sync:
      if (message.sync.step == yjs::SyncStep::Step1) return onSyncStep1(message.sync.bytes, false);
      return onUpdate(message.sync.bytes, message.sync.step == yjs::SyncStep::Step2);
    case Type::Awareness:
      return onAwareness(message.awareness);
    case Type::QueryAwareness:
      return onQueryAwareness();
    case Type::Auth:
      return;  // only servers send auth messages
  }
}

void DocumentPeer::onSyncStep1(std::span<const uint8_t> stateVector, bool sendOwnStep1) {
  if (answeringStep1_) return;  // one at a time: a flood of step 1s costs one diff each
  answeringStep1_ = true;
  std::weak_ptr<DocumentPeer> weak = weak_from_this();
  const bool hocuspocus = framing_ == Framing::Hocuspocus;
  documents_.diff(connection_.loop().index(), name_, {stateVector.begin(), stateVector.end()},
                  [weak, sendOwnStep1, hocuspocus](engine::Outcome<DocumentService::Synced> outcome) {
    auto self = weak.lock();
    if (!self || self->closed_) return;
    self->answeringStep1_ = false;
    auto* synced = std::get_if<DocumentService::Synced>(&outcome);
    if (!synced) {
      spdlog::debug("collab: no sync step 2 for {}: {}", self->name_, std::get<engine::EngineError>(outcome).message);
      return;
    }
    self->send(yjs::SyncMessage::syncStep2(synced->update).encode());
    // @hocuspocus/server answers a step 1 with step 2, then its own step 1 (unless the client's
    // came as a SyncReply, itself an answer to the server's).
    if (hocuspocus && sendOwnStep1) self->send(yjs::SyncMessage::syncStep1(synced->stateVector).encode());
  });
}

void DocumentPeer::onUpdate(std::span<const uint8_t> update, bool syncStep2) {
  std::weak_ptr<DocumentPeer> weak = weak_from_this();
  if (readOnly_) {
    if (framing_ != Framing::Hocuspocus) return;
    if (!syncStep2) return sendSyncStatus(false);
    // A step 2 that adds nothing was not refused: acknowledged, as @hocuspocus/server does.
    return documents_.contains(connection_.loop().index(), name_, {update.begin(), update.end()}, [weak](bool covered) {
      auto self = weak.lock();
      if (self && !self->closed_) self->sendSyncStatus(covered);
    });
  }
  documents_.update(connection_.loop().index(), name_, {update.begin(), update.end()}, [weak](DocumentService::UpdateResult result) {
    auto self = weak.lock();
    if (self && !self->closed_) self->stored(result);
  });
}

void DocumentPeer::stored(DocumentService::UpdateResult result) {
  using Result = DocumentService::UpdateResult;
  if (framing_ == Framing::Hocuspocus) sendSyncStatus(result == Result::Stored);
  if (result == Result::Busy || result == Result::Unavailable) {
    // Not stored: the client still has it and sends it again when it syncs after reconnecting.
    connection_.close(kTryAgainLater, result == Result::Busy ? "document busy: try again" : "storage unavailable: try again");
  }
}

void DocumentPeer::onAwareness(std::span<const uint8_t> encoded) {
  if (!awarenessBudget_.take(static_cast<double>(encoded.size()) + kAwarenessMessageCost, util::TokenBucket::Clock::now())) {
    spdlog::debug("collab: dropped an awareness update for {}: over {} bytes/s from one peer", name_, kAwarenessBytesPerSecond);
    return;
  }
  auto decoded = yjs::AwarenessUpdate::decode(encoded, documents_.options().messages);
  if (!decoded) {
    spdlog::debug("collab: dropped an awareness update for {}: {}", name_, yjs::describe(decoded.error()));
    return;
  }
  size_t added = 0;
  for (const auto& entry : decoded->entries) added += !entry.removed && !awarenessClients_.count(entry.clientId);
  if (awarenessClients_.size() + added > kMaxAwarenessClients) {
    spdlog::debug("collab: dropped an awareness update for {}: over {} client ids on one peer", name_, kMaxAwarenessClients);
    return;
  }
  for (const auto& entry : decoded->entries) {
    if (entry.removed) {
      awarenessClients_.erase(entry.clientId);
    } else {
      awarenessClients_.insert(entry.clientId);
    }
  }
  documents_.awareness(connection_.loop().index(), name_, {encoded.begin(), encoded.end()}, std::move(*decoded));
}

void DocumentPeer::onQueryAwareness() {
  std::weak_ptr<DocumentPeer> weak = weak_from_this();
  documents_.queryAwareness(connection_.loop().index(), name_, [weak](std::vector<uint8_t> states) {
    auto self = weak.lock();
    if (!self || self->closed_ || states.empty()) return;
    self->send(yjs::SyncMessage::awarenessUpdate(states).encode());
  });
}

void DocumentPeer::send(std::span<const uint8_t> message) {
  if (!connection_.open()) return;
  connection_.send(frameOf(framing_, name_, message));
}

void DocumentPeer::sendSyncStatus(bool applied) {
  yjs::Lib0Writer status;
  status.writeVarUint(static_cast<uint64_t>(yjs::HocuspocusMessage::Type::SyncStatus));
  status.writeVarUint(applied ? 1 : 0);
  send(status.bytes());
}

void DocumentPeer::close() {
  if (closed_) return;
  closed_ = true;
  const size_t shard = connection_.loop().index();
  // Not open yet: end the hub subscription now (the sink goes with this peer); open()'s
  // completion, if this peer still lives, undoes the rest.
  if (!opened_) return documents_.leave(shard, name_, framing_, &sink_);
  documents_.close(shard, name_, framing_, &sink_, {awarenessClients_.begin(), awarenessClients_.end()});
}

}  // namespace onair::collab
