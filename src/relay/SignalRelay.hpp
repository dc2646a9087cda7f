#pragma once
// Multi-node signaling (Redis engine): a stage or a stream room lives on one node at a time, its
// owner (relay/Ownership); a client connected to another node reaches it through this relay, as
// LiveKit routes a participant's signaling to the node hosting its room. Media never crosses
// nodes: the owner's answers carry the owner's own ICE candidates (its announced address), so the
// client's peer connection goes straight to the owner.
//
// How a request travels, for a client C connected to node A, about an object owned by node B:
// - A (the client's node) sees that the request names an owned object (OwnerKey), asks Ownership
//   once per object and connection, and sends B an Open (C's token and session id) before C's
//   first request there, then each request as C sent it. A connection's requests about owned
//   objects keep their order: while one waits for its owner, the later ones wait behind it.
// - B keeps, for each (A, C), a relayed connection (net::WsConnection with an Outlet) and a
//   ClientSession adopted with C's token and session id: every surface sees an ordinary
//   connection. What B sends on it (replies, events, fan-out frames) goes back to A once per loop
//   turn as encoded WebSocket frames, which A queues on C's socket unchanged.
// - C's token refresh reaches B (Refresh); C's close ends B's connection (its surfaces clean up
//   as for any close); B closing the connection itself (a kick, an expired token) closes C's.
// - Nodes that are gone (engine::Nodes) are swept every kSweepInterval: C loses its connection
//   (close code 1012: reconnect; the next request makes a new owner) when B is gone, and B drops
//   the relayed connections of a node that is gone. When the Broker resynchronizes (messages may
//   have been lost), every relayed connection ends the same way.
// - Without Redis, requests about owned objects answer service_unavailable (never wait).
//
// Messages travel on the Broker topic "relay:<node id>" (RelayMessage).
// Threading: take()/refreshed() on the session's loop; state per shard, on that shard's loop.
#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/RequestRelay.hpp"
#include "api/SessionContext.hpp"
#include "engine/Engine.hpp"
#include "hub/ShardPool.hpp"
#include "relay/OwnedObject.hpp"
#include "relay/Ownership.hpp"
#include "relay/RelayMessage.hpp"

namespace onair::net {
class WsConnection;
}

namespace onair::relay {

class SignalRelay final : public api::RequestRelay {
 public:
  static constexpr std::string_view kTopicPrefix = "relay:";
  static constexpr uint16_t kOwnerGoneCode = 1012;  // "service restart": reconnect

  // `sessions` (with its `relay` pointing here) outlives the relay.
  SignalRelay(hub::ShardPool& pool, engine::Engine& engine, const api::SessionContext& sessions);
  ~SignalRelay() override;

  // After the shards started: listens on this node's topic (retrying until the Broker answers)
  // and starts the sweep.
  void start();

  bool take(api::ClientSession& session, api::Request& request, std::string_view payload) override;
  void refreshed(api::ClientSession& session) override;
  bool takeHttp(net::EventLoop& loop, net::HttpRequest& request, Respond& respond, ServeHere here, const Authorize& authorize) override;
  // Shutdown (before the connections drain): the connections standing here for other nodes'
  // clients end, and those clients' nodes are told (1012: reconnect elsewhere).
  void drainInbound();
  // Live webrtc slots across nodes (set before start()): `producerFor` says, on the connection's
  // shard, whether a slot of it lets it into a stream room (the broadcast's publishing user) —
  // sent to the room's owner before the connection's requests about the room; `letGo` runs on
  // the owner when that is withdrawn (the slot went), as streams' letGo.
  using VouchSource = std::function<std::optional<std::string>(api::ClientSession&, const std::string& roomId)>;
  using LetGo = std::function<void(api::ClientSession&, const std::string& roomId)>;
  void setLiveRooms(VouchSource producerFor, LetGo letGo) {
    producerFor_ = std::move(producerFor);
    letGo_ = std::move(letGo);
  }
  // On the connection's shard: the slot that let it into `roomId` went; the room's owner lets it go.
  void withdrawVouch(api::ClientSession& session, const std::string& roomId);
  // Serves other nodes' relayed server-API requests here (api::Gateway::serveHere); set before start().
  using HttpServer = std::function<void(net::EventLoop&, net::HttpRequest, Respond)>;
  void setHttpServer(HttpServer server) { httpServer_ = std::move(server); }

  // Prometheus text: onair_relay_* counters.
  std::string metricsText() const;

 private:
  static constexpr std::chrono::milliseconds kSweepInterval{2000};
  static constexpr std::chrono::milliseconds kHttpTimeout{5000};
  // Sweeps a relayed connection may go unnamed by its node's Alive messages before it ends.
  static constexpr int kUnconfirmedSweeps = 3;
  static constexpr size_t kOwnedChecks = 64;
  // Requests of one connection waiting for their object's owner; more are refused (a client
  // cannot grow a node's memory while Redis is slow).
  static constexpr size_t kMaxWaiting = 256;
  // Server-API requests of one shard waiting for another node's answer; more answer 503.
  static constexpr size_t kMaxPendingHttp = 1024;

  struct Pending {
    OwnedObject object;
    api::Request request;
    std::string payload;
    bool local = false;  // the object does not exist (yet): served here, its owner not kept
  };
  // A client connection of this node with requests about objects some node owns.
  struct Outbound {
    std::weak_ptr<api::ClientSession> session;
    std::map<std::string, std::string> owners;  // object key → owner node id, once resolved
    std::set<std::string> opened;               // nodes holding a relayed connection of it
    std::deque<Pending> waiting;                // in order; the head's owner is being resolved
    std::map<std::string, std::string> vouched; // room → producer, as last sent to its owner
    bool resolving = false;
  };
  // A connection standing here for another node's client.
  struct Inbound {
    std::shared_ptr<net::WsConnection> connection;
    std::shared_ptr<api::ClientSession> session;
    int unconfirmed = 0;  // Alive messages of its node since one last named it
  };
  // A server-API request sent to the owner node, waiting for its response.
  struct PendingHttp {
    Respond respond;
    std::unique_ptr<boost::asio::steady_timer> timeout;
  };
  // Frames relayed connections gave their outlets this loop turn, sent at its end: identical
  // frames for one client node (a fan-out event) leave as one SharedFrames message.
  struct TurnFrames {
    std::string node;
    std::string sessionId;
    std::string frames;
  };
  struct Shard {
    std::vector<TurnFrames> turnFrames;
    bool turnFlushPosted = false;
    size_t ownedCursor = 0;  // where the next checkOwned starts
    std::unordered_map<std::string, Outbound> outbound;                       // by session id
    std::unordered_map<std::string, PendingHttp> http;                        // by request id
    std::map<std::pair<std::string, std::string>, Inbound> inbound;           // by (node, session id)
  };

  // The client's side.
  Outbound& outboundOf(api::ClientSession& session);
  void resolveNext(size_t shard, const std::string& sessionId);
  void runResolved(size_t shard, const std::string& sessionId);
  void forward(Outbound& out, api::ClientSession& session, const std::string& node, const Pending& pending);
  void clientClosed(size_t shard, const std::string& sessionId);
  void toClient(const RelayMessage& message);
  void sendHttp(size_t shard, const std::string& node, net::HttpRequest request, Respond respond);
  void httpAnswered(const RelayMessage& message);

  // The owner's side.
  void fromClientNode(RelayMessage message);
  void open(size_t shard, RelayMessage message);
  // Ends a connection standing here for another node's client; `tellClient`: the client's node
  // is told to close the client's connection (1012).
  void closeInbound(size_t shard, const std::pair<std::string, std::string>& id, uint16_t code, bool tellClient);
  void serveHttp(size_t shard, const RelayMessage& message);

  void onMessage(const std::string& payload);
  void send(const std::string& node, RelayMessage message);
  void listen();
  void armSweep();
  void sweep(size_t shard, const std::set<std::string>& live, bool everything);
  // Tells the owners which of this node's connections still use them (Alive); theirs not named
  // twice in a row end (a lost Close, a client node that came back as a new process).
  void sendAlive(size_t shard);
  // This node's connections served here as owner: each object's record is read again (up to
  // kOwnedChecks per sweep, in turn); the connections of an object another node now owns close
  // (1012), so they start again on that node instead of two nodes serving it.
  void checkOwned(size_t shard);
  // Closes (1012, `reason`) this shard's client connections `which` picks: they start again.
  void restartOutbound(size_t shard, std::string_view reason, const std::function<bool(const Outbound&)>& which);
  void onAlive(size_t shard, const RelayMessage& message);
  void queueFrames(size_t shard, std::string node, std::string sessionId, std::string frames);
  void flushTurn(size_t shard);
  void toClients(const RelayMessage& message);  // SharedFrames
  void onVouch(size_t shard, const RelayMessage& message);
  // Before a streams request relayed to `node`: the room's vouch, when it changed.
  void sendVouch(Outbound& out, api::ClientSession& session, const std::string& node, const Pending& pending);

  hub::ShardPool& pool_;
  engine::Engine& engine_;
  const api::SessionContext& sessions_;
  Ownership ownership_;
  std::string self_;
  std::vector<std::unique_ptr<Shard>> shards_;
  boost::asio::steady_timer sweepTimer_;
  HttpServer httpServer_;
  VouchSource producerFor_;
  LetGo letGo_;
  std::atomic<bool> listening_{false};

  // Session id (or server-API request id) → shard, for messages coming back here (any thread).
  std::mutex directoryMutex_;
  std::unordered_map<std::string, size_t> directory_;

  std::atomic<uint64_t> requestsSent_{0}, requestsReceived_{0}, framesSent_{0}, framesReceived_{0}, ownerGoneCloses_{0},
      malformed_{0}, httpSent_{0}, httpReceived_{0}, sharedSent_{0};
};

}  // namespace onair::relay
