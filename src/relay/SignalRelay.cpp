#include "relay/SignalRelay.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "api/Call.hpp"
#include "api/HttpReply.hpp"
#include "api/ClientSession.hpp"
#include "api/OpRouter.hpp"
#include "net/SharedFrame.hpp"
#include "net/WsCodec.hpp"
#include "net/WsConnection.hpp"
#include "util/Random.hpp"
#include "relay/HttpEnvelope.hpp"
#include "relay/InboundOutlet.hpp"
#include "relay/OwnerKey.hpp"

namespace onair::relay {
namespace {

using api::ApiError;
using api::ErrorCode;

constexpr int64_t kRetryAfterMs = 1000;

ApiError unavailable(std::string why, int64_t retryAfterMs = kRetryAfterMs) {
  return {ErrorCode::ServiceUnavailable, std::move(why), retryAfterMs};
}

}  // namespace

SignalRelay::SignalRelay(hub::ShardPool& pool, engine::Engine& engine, const api::SessionContext& sessions)
    : pool_(pool), engine_(engine), sessions_(sessions), ownership_(engine), self_(engine.nodes().selfId()),
      sweepTimer_(pool.loop(0).io()) {
  for (size_t i = 0; i < pool_.size(); ++i) shards_.push_back(std::make_unique<Shard>());
  engine_.broker().setTopicHandler(std::string(kTopicPrefix), [this](const std::string&, const engine::Broker::Payload& payload) {
    onMessage(*payload);
  });
  // Messages may have been lost while the Broker was cut off: no relayed connection can be trusted.
  engine_.broker().addResyncHandler([this] {
    for (size_t shard = 0; shard < pool_.size(); ++shard) pool_.post(shard, [this, shard] { sweep(shard, {}, true); });
  });
}

SignalRelay::~SignalRelay() = default;

void SignalRelay::start() {
  pool_.post(0, [this] {
    listen();
    armSweep();
  });
}

void SignalRelay::listen() {
  engine_.broker().subscribe(std::string(kTopicPrefix) + self_, [this](engine::Outcome<engine::Done> subscribed) {
    if (auto* error = std::get_if<engine::EngineError>(&subscribed)) {
      spdlog::warn("relay: cannot listen for other nodes' requests yet ({}); retrying", error->message);
      return;  // the sweep tries again
    }
    listening_ = true;
  });
}

// ---- the client's side ----------------------------------------------------------------------

bool SignalRelay::take(api::ClientSession& session, api::Request& request, std::string_view payload) {
  auto object = OwnerKey::of(request.op, request.args);
  if (!object) return false;
  auto& out = outboundOf(session);
  if (out.waiting.empty()) {
    auto known = out.owners.find(object->key);
    if (known != out.owners.end()) {
      if (known->second == self_) return false;
      forward(out, session, known->second, Pending{std::move(*object), std::move(request), std::string(payload)});
      return true;
    }
  }
  if (out.waiting.size() >= kMaxWaiting) {
    session.sendText(api::Envelope::error(request.id, unavailable("too many requests are waiting for the node serving their stage or room")));
    return true;
  }
  out.waiting.push_back(Pending{std::move(*object), std::move(request), std::string(payload)});
  if (!out.resolving) resolveNext(session.loop().index(), session.sessionId());
  return true;
}

SignalRelay::Outbound& SignalRelay::outboundOf(api::ClientSession& session) {
  const size_t shard = session.loop().index();
  auto [it, added] = shards_[shard]->outbound.try_emplace(session.sessionId());
  if (!added) return it->second;
  it->second.session = session.weak_from_this();
  {
    std::lock_guard lock(directoryMutex_);
    directory_[session.sessionId()] = shard;
  }
  session.onClosed([this, shard, id = session.sessionId()] { clientClosed(shard, id); });
  return it->second;
}

void SignalRelay::resolveNext(size_t shard, const std::string& sessionId) {
  auto it = shards_[shard]->outbound.find(sessionId);
  if (it == shards_[shard]->outbound.end() || it->second.waiting.empty()) return;
  auto& out = it->second;
  out.resolving = true;
  const OwnedObject object = out.waiting.front().object;
  ownership_.resolve(object, [this, shard, sessionId, key = object.key](Ownership::Resolved owner) {
    pool_.post(shard, [this, shard, sessionId, key, owner = std::move(owner)] {
      auto it = shards_[shard]->outbound.find(sessionId);
      if (it == shards_[shard]->outbound.end()) return;  // the connection closed meanwhile
      auto& out = it->second;
      out.resolving = false;
      if (auto* error = std::get_if<engine::EngineError>(&owner)) {
        // The head cannot go anywhere now: it is answered; the ones behind it try again.
        auto head = std::move(out.waiting.front());
        out.waiting.pop_front();
        if (auto session = out.session.lock()) {
          session->sendText(api::Envelope::error(head.request.id, unavailable("cannot find the node serving this object: " + error->message,
                                                                               error->retryAfterMs)));
        }
      } else if (auto& node = std::get<std::optional<std::string>>(owner)) {
        out.owners[key] = *node;
      } else {
        out.waiting.front().local = true;  // no such object: its ops fail here, as on one node
      }
      runResolved(shard, sessionId);
    });
  });
}

// Sends on, in order, the waiting requests whose owner is known; resolves the next unknown one.
void SignalRelay::runResolved(size_t shard, const std::string& sessionId) {
  auto it = shards_[shard]->outbound.find(sessionId);
  if (it == shards_[shard]->outbound.end()) return;
  auto& out = it->second;
  auto session = out.session.lock();
  if (!session) return;
  while (!out.waiting.empty()) {
    auto known = out.owners.find(out.waiting.front().object.key);
    if (known == out.owners.end() && !out.waiting.front().local) return resolveNext(shard, sessionId);
    auto head = std::move(out.waiting.front());
    out.waiting.pop_front();
    if (known != out.owners.end() && known->second != self_) {
      forward(out, *session, known->second, head);
      continue;
    }
    sessions_.router->dispatch(api::Call(session, std::move(head.request.id), std::move(head.request.op), std::move(head.request.args)));
    // A dispatch may close the connection (its cleanup forgets `out`).
    if (shards_[shard]->outbound.find(sessionId) == shards_[shard]->outbound.end()) return;
  }
}

void SignalRelay::forward(Outbound& out, api::ClientSession& session, const std::string& node, const Pending& pending) {
  // A request published while Redis is down would be lost: it is answered now instead.
  if (!engine_.ready()) {
    session.sendText(api::Envelope::error(pending.request.id, unavailable("the node serving this object cannot be reached (the engine is unavailable)")));
    return;
  }
  if (out.opened.insert(node).second) send(node, RelayMessage{RelayMessage::Kind::Open, {}, session.sessionId(), 0, session.token()});
  sendVouch(out, session, node, pending);
  send(node, RelayMessage{RelayMessage::Kind::Request, {}, session.sessionId(), 0, pending.payload});
  requestsSent_.fetch_add(1, std::memory_order_relaxed);
}

void SignalRelay::sendVouch(Outbound& out, api::ClientSession& session, const std::string& node, const Pending& pending) {
  if (!producerFor_ || pending.request.op.rfind("streams.", 0) != 0) return;
  const auto* room = pending.request.args.if_contains("streamRoomId");
  if (!room || !room->is_string()) return;
  const std::string roomId(room->as_string());
  auto producer = producerFor_(session, roomId);
  auto sent = out.vouched.find(roomId);
  if (!producer && sent == out.vouched.end()) return;
  if (producer && sent != out.vouched.end() && sent->second == *producer) return;
  std::string body = roomId;
  if (producer) {
    body += '\n' + *producer;
    out.vouched[roomId] = *producer;
  } else {
    out.vouched.erase(sent);
  }
  send(node, RelayMessage{RelayMessage::Kind::Vouch, {}, session.sessionId(), 0, std::move(body)});
}

void SignalRelay::withdrawVouch(api::ClientSession& session, const std::string& roomId) {
  auto& outbound = shards_[session.loop().index()]->outbound;
  auto it = outbound.find(session.sessionId());
  if (it == outbound.end() || !it->second.vouched.erase(roomId)) return;
  auto owner = it->second.owners.find("media:" + roomId);
  if (owner == it->second.owners.end() || owner->second == self_) return;
  send(owner->second, RelayMessage{RelayMessage::Kind::Vouch, {}, session.sessionId(), 0, roomId});
}

// On the owner (the inbound connection's shard): a slot on the client's node lets the session
// into a room, or no longer does (then it leaves the room).
void SignalRelay::onVouch(size_t shard, const RelayMessage& message) {
  auto it = shards_[shard]->inbound.find({message.fromNode, message.sessionId});
  if (it == shards_[shard]->inbound.end()) return;
  const size_t split = message.body.find('\n');
  const std::string roomId = message.body.substr(0, split);
  if (split != std::string::npos) return it->second.session->vouch(roomId, message.body.substr(split + 1));
  it->second.session->vouch(roomId, std::nullopt);
  if (letGo_) letGo_(*it->second.session, roomId);
}

void SignalRelay::refreshed(api::ClientSession& session) {
  auto& outbound = shards_[session.loop().index()]->outbound;
  auto it = outbound.find(session.sessionId());
  if (it == outbound.end()) return;
  for (const auto& node : it->second.opened) send(node, RelayMessage{RelayMessage::Kind::Refresh, {}, session.sessionId(), 0, session.token()});
}

void SignalRelay::clientClosed(size_t shard, const std::string& sessionId) {
  auto& outbound = shards_[shard]->outbound;
  auto it = outbound.find(sessionId);
  if (it == outbound.end()) return;
  for (const auto& node : it->second.opened) send(node, RelayMessage{RelayMessage::Kind::Close, {}, sessionId, 1000, {}});
  outbound.erase(it);
  std::lock_guard lock(directoryMutex_);
  directory_.erase(sessionId);
}

// Frames for a client of this node, or its relayed connection's close (engine thread).
void SignalRelay::toClient(const RelayMessage& message) {
  size_t shard = 0;
  {
    std::lock_guard lock(directoryMutex_);
    auto it = directory_.find(message.sessionId);
    if (it == directory_.end()) return;  // closed meanwhile
    shard = it->second;
  }
  pool_.post(shard, [this, shard, message] {
    auto it = shards_[shard]->outbound.find(message.sessionId);
    if (it == shards_[shard]->outbound.end() || !it->second.opened.count(message.fromNode)) return;
    auto session = it->second.session.lock();
    auto connection = session ? session->connection().lock() : nullptr;
    if (!connection) return;
    if (message.kind == RelayMessage::Kind::Frames) {
      framesReceived_.fetch_add(1, std::memory_order_relaxed);
      return connection->send(net::makeSharedFrame(message.body));
    }
    spdlog::debug("relay: node {} closed session {} ({}): closing the client's connection", message.fromNode, message.sessionId, message.code);
    // Only codes a server may send; anything else becomes "reconnect".
    const uint16_t code = message.code;
    const bool sendable = code == 1000 || code == 1001 || code == 1008 || code == 1011 || code == 1012 || (code >= 3000 && code <= 4999);
    connection->close(sendable ? code : kOwnerGoneCode, message.body.substr(0, 120));
  });
}

// ---- server-API requests ----------------------------------------------------------------------

bool SignalRelay::takeHttp(net::EventLoop& loop, net::HttpRequest& request, Respond& respond, ServeHere here, const Authorize& authorize) {
  auto object = OwnerKey::ofPath(request.path);
  if (!object) return false;
  if (!authorize(request, respond)) return true;  // answered 401: nothing asked of the engine
  const size_t shard = loop.index();
  ownership_.resolve(*object, [this, shard, request = std::move(request), respond = std::move(respond), here = std::move(here)](
                                  Ownership::Resolved owner) mutable {
    pool_.post(shard, [this, shard, request = std::move(request), respond = std::move(respond), here = std::move(here),
                       owner = std::move(owner)]() mutable {
      if (auto* error = std::get_if<engine::EngineError>(&owner)) {
        return respond(api::errorReply(unavailable("cannot find the node serving this object: " + error->message, error->retryAfterMs)));
      }
      const auto& node = std::get<std::optional<std::string>>(owner);
      if (!node || *node == self_) return here(std::move(request), std::move(respond));
      sendHttp(shard, *node, std::move(request), std::move(respond));
    });
  });
  return true;
}

void SignalRelay::sendHttp(size_t shard, const std::string& node, net::HttpRequest request, Respond respond) {
  if (!engine_.ready()) return respond(api::errorReply(unavailable("the node serving this object cannot be reached (the engine is unavailable)")));
  if (shards_[shard]->http.size() >= kMaxPendingHttp) {
    return respond(api::errorReply(unavailable("too many requests are waiting for the nodes serving their stage or room")));
  }
  const std::string id = util::randomId("h_", 9);
  auto timeout = std::make_unique<boost::asio::steady_timer>(pool_.loop(shard).io(), kHttpTimeout);
  timeout->async_wait([this, shard, id](const boost::system::error_code& ec) {
    if (ec) return;
    auto it = shards_[shard]->http.find(id);
    if (it == shards_[shard]->http.end()) return;
    auto respond = std::move(it->second.respond);
    shards_[shard]->http.erase(it);
    {
      std::lock_guard lock(directoryMutex_);
      directory_.erase(id);
    }
    respond(api::errorReply(unavailable("the node serving this object did not answer in time")));
  });
  shards_[shard]->http.emplace(id, PendingHttp{std::move(respond), std::move(timeout)});
  {
    std::lock_guard lock(directoryMutex_);
    directory_[id] = shard;
  }
  httpSent_.fetch_add(1, std::memory_order_relaxed);
  send(node, RelayMessage{RelayMessage::Kind::HttpRequest, {}, id, 0, HttpEnvelope::encode(request)});
}

// The owner's response to a relayed server-API request (engine thread).
void SignalRelay::httpAnswered(const RelayMessage& message) {
  size_t shard = 0;
  {
    std::lock_guard lock(directoryMutex_);
    auto it = directory_.find(message.sessionId);
    if (it == directory_.end()) return;  // timed out meanwhile
    shard = it->second;
    directory_.erase(it);
  }
  pool_.post(shard, [this, shard, message] {
    auto it = shards_[shard]->http.find(message.sessionId);
    if (it == shards_[shard]->http.end()) return;
    auto respond = std::move(it->second.respond);
    it->second.timeout->cancel();
    shards_[shard]->http.erase(it);
    std::string why;
    auto response = HttpEnvelope::decodeResponse(message.body, why);
    if (!response) return respond(api::errorReply({ErrorCode::Internal, "the owner node's response was unreadable: " + why, std::nullopt}));
    respond(std::move(*response));
  });
}

// Another node's server-API request about an object this node owns (on `shard`).
void SignalRelay::serveHttp(size_t shard, const RelayMessage& message) {
  std::string why;
  auto request = HttpEnvelope::decodeRequest(message.body, why);
  if (!request || !httpServer_) {
    malformed_.fetch_add(1, std::memory_order_relaxed);
    spdlog::debug("relay: dropped a server-API request from {}: {}", message.fromNode, request ? "no HTTP server" : why);
    return;  // the other node answers 503 after its timeout
  }
  httpReceived_.fetch_add(1, std::memory_order_relaxed);
  httpServer_(pool_.loop(shard), std::move(*request), [this, node = message.fromNode, id = message.sessionId](net::HttpResponse response) {
    send(node, RelayMessage{RelayMessage::Kind::HttpResponse, {}, id, 0, HttpEnvelope::encode(response)});
  });
}

// ---- the owner's side -----------------------------------------------------------------------

void SignalRelay::fromClientNode(RelayMessage message) {
  const size_t shard = pool_.ownerOf(message.fromNode + "/" + message.sessionId);
  pool_.post(shard, [this, shard, message = std::move(message)]() mutable {
    auto id = std::make_pair(message.fromNode, message.sessionId);
    auto& inbound = shards_[shard]->inbound;
    if (message.kind == RelayMessage::Kind::Open) return open(shard, std::move(message));
    if (message.kind == RelayMessage::Kind::HttpRequest) return serveHttp(shard, message);
    if (message.kind == RelayMessage::Kind::Vouch) return onVouch(shard, message);
    if (message.kind == RelayMessage::Kind::Close) return closeInbound(shard, id, message.code, false);
    auto it = inbound.find(id);
    if (it == inbound.end()) {
      // The connection ended here (or its Open was refused): the client must start again.
      if (message.kind == RelayMessage::Kind::Request) {
        send(message.fromNode, RelayMessage{RelayMessage::Kind::Closed, {}, message.sessionId, kOwnerGoneCode,
                                             "the node serving this stage or room lost this connection; reconnect"});
      }
      return;
    }
    if (message.kind == RelayMessage::Kind::Request) {
      requestsReceived_.fetch_add(1, std::memory_order_relaxed);
      return it->second.connection->receiveText(message.body);
    }
    std::string why;  // Refresh
    if (!it->second.session->adopt(message.body, message.sessionId, why)) {
      spdlog::info("relay: a refreshed token from node {} was refused: {}", message.fromNode, why);
      it->second.connection->close(net::wsclose::Unauthenticated, "refreshed token refused");
    }
  });
}

void SignalRelay::open(size_t shard, RelayMessage message) {
  auto id = std::make_pair(message.fromNode, message.sessionId);
  auto& inbound = shards_[shard]->inbound;
  if (inbound.count(id)) return;
  auto& loop = pool_.loop(shard);
  // Frames wait for the turn's end (flushTurn); a Closed goes after what was queued before it.
  auto outlet = std::make_shared<InboundOutlet>(
      message.fromNode, message.sessionId,
      [this, shard](const std::string& node, RelayMessage m) {
        if (m.kind == RelayMessage::Kind::Frames) return queueFrames(shard, node, std::move(m.sessionId), std::move(m.body));
        flushTurn(shard);
        send(node, std::move(m));
      },
      [this, shard, id] { pool_.post(shard, [this, shard, id] { shards_[shard]->inbound.erase(id); }); });
  auto connection = std::make_shared<net::WsConnection>(loop, outlet);
  auto session = std::make_shared<api::ClientSession>(sessions_, loop, connection);
  std::string why;
  if (!session->adopt(message.body, message.sessionId, why)) {
    spdlog::info("relay: refused a session from node {}: {}", message.fromNode, why);
    send(message.fromNode, RelayMessage{RelayMessage::Kind::Closed, {}, message.sessionId, net::wsclose::Unauthenticated,
                                         "unauthenticated: " + why});
    return;
  }
  connection->start(session);
  inbound.emplace(id, Inbound{connection, session});
}

void SignalRelay::closeInbound(size_t shard, const std::pair<std::string, std::string>& id, uint16_t code, bool tellClient) {
  auto& inbound = shards_[shard]->inbound;
  auto it = inbound.find(id);
  if (it == inbound.end()) return;
  auto connection = std::move(it->second.connection);
  inbound.erase(it);
  // Best effort: a client whose node still hears us reconnects rather than wait for events.
  if (tellClient) {
    send(id.first, RelayMessage{RelayMessage::Kind::Closed, {}, id.second, kOwnerGoneCode,
                                "the node serving this stage or room dropped this connection; reconnect"});
  }
  connection->peerGone(code);  // the surfaces clean up as for any closed connection
}

void SignalRelay::queueFrames(size_t shard, std::string node, std::string sessionId, std::string frames) {
  auto& state = *shards_[shard];
  state.turnFrames.push_back({std::move(node), std::move(sessionId), std::move(frames)});
  if (state.turnFlushPosted) return;
  state.turnFlushPosted = true;
  pool_.post(shard, [this, shard] { flushTurn(shard); });  // after this turn's connection flushes
}

void SignalRelay::flushTurn(size_t shard) {
  auto& state = *shards_[shard];
  state.turnFlushPosted = false;
  if (state.turnFrames.empty()) return;
  auto turn = std::move(state.turnFrames);
  state.turnFrames.clear();
  // Sessions by (client node, frames), in the order the turn first saw each pair.
  std::vector<std::pair<const TurnFrames*, std::vector<std::string>>> groups;
  std::unordered_map<std::string_view, size_t> groupOf;  // node + NUL + frames → index
  std::vector<std::string> keys;
  keys.reserve(turn.size());
  for (const auto& t : turn) {
    keys.push_back(t.node + '\0' + t.frames);
    auto [it, added] = groupOf.try_emplace(keys.back(), groups.size());
    if (added) groups.push_back({&t, {}});
    groups[it->second].second.push_back(t.sessionId);
  }
  for (auto& [first, sessions] : groups) {
    if (sessions.size() == 1) {
      send(first->node, RelayMessage{RelayMessage::Kind::Frames, {}, sessions.front(), 0, first->frames});
      continue;
    }
    std::string body;
    for (const auto& id : sessions) body += id + "\n";
    body += '\0';
    body += first->frames;
    sharedSent_.fetch_add(1, std::memory_order_relaxed);
    send(first->node, RelayMessage{RelayMessage::Kind::SharedFrames, {}, "*", 0, std::move(body)});
  }
}

// The same frames for several of this node's clients (engine thread): one shared copy, queued on
// each connection (encode once, as a local fan-out would).
void SignalRelay::toClients(const RelayMessage& message) {
  const size_t end = message.body.find('\0');
  if (end == std::string::npos) {
    malformed_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  auto frame = net::makeSharedFrame(message.body.substr(end + 1));
  std::map<size_t, std::vector<std::string>> byShard;
  {
    std::string_view ids = std::string_view(message.body).substr(0, end);
    std::lock_guard lock(directoryMutex_);
    while (!ids.empty()) {
      const size_t stop = ids.find('\n');
      std::string id(ids.substr(0, stop));
      ids.remove_prefix(stop == std::string_view::npos ? ids.size() : stop + 1);
      if (auto it = directory_.find(id); it != directory_.end()) byShard[it->second].push_back(std::move(id));
    }
  }
  for (auto& [shard, ids] : byShard) {
    pool_.post(shard, [this, shard, ids = std::move(ids), frame, from = message.fromNode] {
      for (const auto& id : ids) {
        auto it = shards_[shard]->outbound.find(id);
        if (it == shards_[shard]->outbound.end() || !it->second.opened.count(from)) continue;
        auto session = it->second.session.lock();
        if (auto connection = session ? session->connection().lock() : nullptr) connection->send(frame);
      }
      framesReceived_.fetch_add(1, std::memory_order_relaxed);
    });
  }
}

void SignalRelay::drainInbound() {
  for (size_t shard = 0; shard < pool_.size(); ++shard) {
    pool_.post(shard, [this, shard] {
      std::vector<std::pair<std::string, std::string>> all;
      for (const auto& [id, in] : shards_[shard]->inbound) all.push_back(id);
      for (const auto& id : all) closeInbound(shard, id, 1001, true);
    });
  }
}

void SignalRelay::sendAlive(size_t shard) {
  std::map<std::string, std::string> idsByNode;
  for (const auto& [sessionId, out] : shards_[shard]->outbound) {
    for (const auto& node : out.opened) idsByNode[node] += sessionId + "\n";
  }
  for (auto& [node, ids] : idsByNode) send(node, RelayMessage{RelayMessage::Kind::Alive, {}, "*", 0, std::move(ids)});
}

// A client node's list of connections it still relays here: each one named is confirmed.
void SignalRelay::onAlive(size_t, const RelayMessage& message) {
  std::string_view ids = message.body;
  while (!ids.empty()) {
    const size_t end = ids.find('\n');
    std::string sessionId(ids.substr(0, end));
    ids.remove_prefix(end == std::string_view::npos ? ids.size() : end + 1);
    if (sessionId.empty()) continue;
    const size_t owner = pool_.ownerOf(message.fromNode + "/" + sessionId);
    pool_.post(owner, [this, owner, id = std::make_pair(message.fromNode, std::move(sessionId))] {
      auto it = shards_[owner]->inbound.find(id);
      if (it != shards_[owner]->inbound.end()) it->second.unconfirmed = 0;
    });
  }
}

// ---- both ---------------------------------------------------------------------------------------

void SignalRelay::onMessage(const std::string& payload) {
  std::string why;
  auto message = RelayMessage::decode(payload, why);
  if (!message) {
    malformed_.fetch_add(1, std::memory_order_relaxed);
    spdlog::debug("relay: dropped a malformed message: {}", why);
    return;
  }
  if (message->kind == RelayMessage::Kind::Frames || message->kind == RelayMessage::Kind::Closed) return toClient(*message);
  if (message->kind == RelayMessage::Kind::HttpResponse) return httpAnswered(*message);
  if (message->kind == RelayMessage::Kind::Alive) return onAlive(0, *message);
  if (message->kind == RelayMessage::Kind::SharedFrames) return toClients(*message);
  fromClientNode(std::move(*message));
}

void SignalRelay::send(const std::string& node, RelayMessage message) {
  message.fromNode = self_;
  if (message.kind == RelayMessage::Kind::Frames || message.kind == RelayMessage::Kind::SharedFrames) {
    framesSent_.fetch_add(1, std::memory_order_relaxed);
  }
  engine_.broker().publish(std::string(kTopicPrefix) + node, std::make_shared<const std::string>(message.encode()));
}

void SignalRelay::armSweep() {
  sweepTimer_.expires_after(kSweepInterval);
  sweepTimer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    if (!listening_) listen();
    ownership_.liveNodes([this](engine::Outcome<Ownership::LiveNodes> live) {
      if (auto* nodes = std::get_if<Ownership::LiveNodes>(&live)) {
        for (size_t shard = 0; shard < pool_.size(); ++shard) {
          pool_.post(shard, [this, shard, nodes = *nodes] { sweep(shard, *nodes, false); });
        }
      }
    });
    armSweep();
  });
}

void SignalRelay::sweep(size_t shard, const std::set<std::string>& live, bool everything) {
  auto& state = *shards_[shard];
  // This node's connections that use a node that is gone (as owner, relayed there or not yet);
  // after a resync, every connection that uses an owned object: ownership may have moved while
  // the nodes could not hear each other, so each starts again from a fresh owner.
  restartOutbound(shard, "the node serving a stage or room of this connection is gone; reconnect", [&](const Outbound& out) {
    bool gone = everything && (!out.owners.empty() || !out.opened.empty());
    for (const auto& node : out.opened) gone = gone || !live.count(node);
    for (const auto& [key, node] : out.owners) gone = gone || !live.count(node);
    return gone;
  });
  // Connections standing here for a node that is gone, or whose node stopped naming them.
  std::vector<std::pair<std::string, std::string>> orphans;
  for (auto& [id, in] : state.inbound) {
    if (everything || !live.count(id.first) || ++in.unconfirmed > kUnconfirmedSweeps) orphans.push_back(id);
  }
  for (const auto& id : orphans) closeInbound(shard, id, 1001, true);
  if (everything) return;
  sendAlive(shard);
  checkOwned(shard);
}

void SignalRelay::restartOutbound(size_t shard, std::string_view reason, const std::function<bool(const Outbound&)>& which) {
  // Collected first: a close runs the connection's cleanups, which change `outbound`.
  std::vector<std::shared_ptr<net::WsConnection>> lost;
  for (const auto& [id, out] : shards_[shard]->outbound) {
    auto session = which(out) ? out.session.lock() : nullptr;
    if (auto connection = session ? session->connection().lock() : nullptr) lost.push_back(std::move(connection));
  }
  for (auto& connection : lost) {
    ownerGoneCloses_.fetch_add(1, std::memory_order_relaxed);
    connection->close(kOwnerGoneCode, reason);
  }
}

void SignalRelay::checkOwned(size_t shard) {
  std::set<std::string> keys;
  for (const auto& [id, out] : shards_[shard]->outbound) {
    for (const auto& [key, node] : out.owners) {
      if (node == self_) keys.insert(key);
    }
  }
  if (keys.empty()) return;
  // A window of at most kOwnedChecks keys, moving on each sweep.
  auto& cursor = shards_[shard]->ownedCursor;
  cursor %= keys.size();
  auto it = std::next(keys.begin(), static_cast<std::ptrdiff_t>(cursor));
  for (size_t n = 0; n < std::min(kOwnedChecks, keys.size()); ++n, ++it, ++cursor) {
    if (it == keys.end()) it = keys.begin();
    ownership_.recorded(*it, [this, shard, key = *it](engine::Outcome<std::string> owner) {
      auto* node = std::get_if<std::string>(&owner);
      if (!node || node->empty() || *node == self_) return;  // still ours, or unknown for now
      pool_.post(shard, [this, shard, key, node = *node] {
        spdlog::warn("relay: node {} now owns {}; this node's connections using it start again there", node, key);
        restartOutbound(shard, "another node serves this stage or room now; reconnect", [&](const Outbound& out) {
          auto known = out.owners.find(key);
          return known != out.owners.end() && known->second == self_;
        });
      });
    });
  }
}

std::string SignalRelay::metricsText() const {
  auto counter = [](std::string& out, const char* name, const char* help, uint64_t value) {
    out += fmt::format("# HELP {} {}\n# TYPE {} counter\n{} {}\n", name, help, name, name, value);
  };
  std::string out;
  counter(out, "onair_relay_requests_sent_total", "Requests of this node's clients sent to the node owning their stage or room.",
          requestsSent_.load(std::memory_order_relaxed));
  counter(out, "onair_relay_requests_received_total", "Requests of other nodes' clients served here (this node owns their object).",
          requestsReceived_.load(std::memory_order_relaxed));
  counter(out, "onair_relay_frame_batches_sent_total", "Batches of frames sent back to other nodes' clients.",
          framesSent_.load(std::memory_order_relaxed));
  counter(out, "onair_relay_frame_batches_received_total", "Batches of frames from owner nodes queued on this node's clients.",
          framesReceived_.load(std::memory_order_relaxed));
  counter(out, "onair_relay_shared_frame_batches_sent_total",
          "Batches of frames sent once for several of another node's clients (a fan-out event crossing once).",
          sharedSent_.load(std::memory_order_relaxed));
  counter(out, "onair_relay_owner_gone_closes_total", "Client connections closed (1012) because a node serving them went away.",
          ownerGoneCloses_.load(std::memory_order_relaxed));
  counter(out, "onair_relay_http_requests_sent_total", "Server-API requests sent to the node owning their stage or stream room.",
          httpSent_.load(std::memory_order_relaxed));
  counter(out, "onair_relay_http_requests_received_total", "Server-API requests of other nodes served here.",
          httpReceived_.load(std::memory_order_relaxed));
  counter(out, "onair_relay_malformed_total", "Relay messages dropped as malformed.", malformed_.load(std::memory_order_relaxed));
  return out;
}

}  // namespace onair::relay
