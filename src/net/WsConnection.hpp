#pragma once
// One WebSocket connection after the upgrade: reads with onair's WsCodec, writes corked frames.
//
// Memory contract (bench/conn_memory): an idle connection holds no read buffer (reads land in
// the loop's scratch space; only a partial frame is kept) and an empty send queue owns nothing.
//
// I/O: the socket leaves asio at construction; the loop's WsPoller reports its readiness
// (registered once, edge-triggered) and reads and writes are plain recv/sendmsg calls.
// Threading: everything runs on the owning EventLoop's thread.
//
// Relayed connections (multi-node signaling, relay/SignalRelay): a connection made with an Outlet
// instead of a socket stands on this node for a client connected to another node. Its frames
// are encoded as for a socket and handed to the outlet once per loop turn (all of the turn's
// frames in one string); the client's messages come in through receiveText(). It has no
// keepalive or deadlines of its own (the client's node keeps those) and is not counted among the
// loop's connections. close() tells the outlet (code and reason) instead of sending a close frame.
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "net/AddressLimiter.hpp"
#include "net/EventLoop.hpp"
#include "net/FrameSink.hpp"
#include "net/WsCodec.hpp"

namespace onair::net {

class WsConnection final : public FrameSink, public std::enable_shared_from_this<WsConnection> {
 public:
  // Reports upward (the session layer implements it).
  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void onWsMessage(WsConnection& connection, WsOpcode opcode, std::string_view payload) = 0;
    // Called once, when the socket is gone. `code` is the close code sent or received (1006 when
    // the peer vanished without one).
    virtual void onWsClosed(WsConnection& connection, uint16_t code) = 0;
  };

  // Where a relayed connection's output goes (on the loop's thread).
  class Outlet {
   public:
    virtual ~Outlet() = default;
    // Encoded WebSocket frames (server to client), one or more, whole.
    virtual void deliver(std::string frames) = 0;
    // The connection closed itself (close()): the client's connection should close with `code`.
    virtual void closed(uint16_t code, std::string_view reason) = 0;
  };

  WsConnection(EventLoop& loop, boost::asio::ip::tcp::socket socket);
  // A relayed connection (see above); established from the start.
  WsConnection(EventLoop& loop, std::shared_ptr<Outlet> outlet);
  ~WsConnection() override;

  void start(std::shared_ptr<Listener> listener);

  using FrameSink::send;
  void send(OutFrame& frame) override;
  void sendText(std::string_view text);
  // Starts the closing handshake; the socket closes when the peer answers or after closeTimeout.
  void close(uint16_t code, std::string_view reason = {});

  // The session authenticated: the connect deadline no longer applies, and the message limits
  // grow from the pre-connect ones (ws.max_preconnect_message_bytes) to ws.max_message_bytes, or
  // to `limits` (a surface whose messages have limits of their own).
  void markEstablished();
  void markEstablished(const WsLimits& limits);
  bool established() const { return established_; }
  // The session's credentials lapse at `at`: from then on the keepalive tick (once a second)
  // closes the connection with 4011. A later call moves the deadline (a refreshed token).
  void setExpiry(EventLoop::Clock::time_point at) { expiresAt_ = at; }
  // The connection's place under http.max_connections_per_address, given back when it closes.
  void holdPlace(AddressLimiter::Place place) { place_ = std::move(place); }
  bool open() const { return state_ == State::Open; }
  bool relayed() const { return outlet_ != nullptr; }
  // Relayed connections: a text message from the client; the client's connection ended.
  void receiveText(std::string_view payload);
  void peerGone(uint16_t code);
  EventLoop& loop() { return loop_; }
  size_t queuedBytes() const { return queuedBytes_; }
  std::string remoteAddress() const;

 private:
  friend class EventLoop;
  enum class State : uint8_t { Open, Closing, Closed };

  friend class WsPoller;
  void onPoll(uint32_t events);
  void onReadable();
  bool accept(std::span<uint8_t> bytes);
  bool consume(std::span<uint8_t> bytes);
  void handle(const WsEvent& event);
  bool overLimitWith(OutFrame& frame);
  size_t countedBytes() const;
  void enqueue(OutFrame& frame, bool control);
  bool admitMediaChunk(const OutFrame& frame);
  void overflow();
  void enqueueFrame(WsOpcode opcode, std::string_view payload, bool control);
  void dropQueue(bool keepPartial);
  void flush();
  void waitWritable();
  size_t advance(size_t written);  // returns the frames completed
  void onCloseFlushed();
  void tick(EventLoop::Clock::time_point now);
  void finish(uint16_t code);
  void flushToOutlet();

  // Fields read per delivered frame first (one or two cache lines under fan-out).
  EventLoop& loop_;
  size_t queueLimit_;                 // ws.send_queue_bytes
  size_t queuedBytes_ = 0;
  OutFrame* exempt_ = nullptr;  // a queued large frame the limit does not count (overLimitWith)
  std::vector<OutFrame*> queue_;      // retained frames to send; queue_[head_] is partly sent
  State state_ = State::Open;
  bool flushScheduled_ = false;
  bool waitingWritable_ = false;
  bool skippingToKey_ = false;  // lagging behind a media stream: droppable frames wait for a key
  int fd_ = -1;                       // the TCP socket, ours since construction
  uint64_t pollToken_ = 0;            // registration in the loop's WsPoller
  std::shared_ptr<Listener> listener_;
  WsCodec codec_;
  std::string pending_;               // an incomplete frame, kept between reads
  size_t head_ = 0;
  size_t headOffset_ = 0;
  size_t registryIndex_ = 0;          // position in the loop's connection list
  EventLoop::Clock::time_point openedAt_;
  EventLoop::Clock::time_point lastRead_;
  EventLoop::Clock::time_point pingSentAt_{};
  EventLoop::Clock::time_point closeDeadline_{};
  EventLoop::Clock::time_point expiresAt_ = EventLoop::Clock::time_point::max();
  AddressLimiter::Place place_;
  std::shared_ptr<Outlet> outlet_;    // relayed connections only
  uint16_t closeCode_ = 1006;
  bool established_ = false;
  bool closeQueued_ = false;
  bool closeFlushed_ = false;
  bool peerClosed_ = false;
  bool pingOutstanding_ = false;
};

}  // namespace onair::net
