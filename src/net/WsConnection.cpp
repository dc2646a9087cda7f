#include "net/WsConnection.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <array>
#include <cerrno>

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace onair::net {
namespace {
constexpr int kMaxReadsPerWakeup = 4;   // fairness between connections of a loop
}  // namespace

WsConnection::WsConnection(EventLoop& loop, boost::asio::ip::tcp::socket socket)
    : loop_(loop), queueLimit_(loop.wsSettings().sendQueueBytes), codec_(loop.wsSettings().preconnectLimits()) {
  openedAt_ = lastRead_ = loop_.coarseNow();
  boost::system::error_code ec;
  socket.non_blocking(true, ec);
  socket.set_option(boost::asio::ip::tcp::no_delay(true), ec);
  // Out of asio's reactor: the loop's WsPoller watches it from now on (see WsPoller.hpp).
  fd_ = socket.release(ec);
  if (ec) fd_ = -1;
}

WsConnection::WsConnection(EventLoop& loop, std::shared_ptr<Outlet> outlet)
    : loop_(loop), queueLimit_(loop.wsSettings().sendQueueBytes), codec_(loop.wsSettings().limits), outlet_(std::move(outlet)) {
  openedAt_ = lastRead_ = loop_.coarseNow();
  established_ = true;
}

WsConnection::~WsConnection() {
  if (fd_ >= 0) ::close(fd_);
}

std::string WsConnection::remoteAddress() const {
  boost::asio::ip::tcp::endpoint ep;
  socklen_t len = static_cast<socklen_t>(ep.capacity());
  if (outlet_) return "relay";
  if (fd_ < 0 || ::getpeername(fd_, ep.data(), &len) != 0) return "?";
  ep.resize(len);
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

void WsConnection::markEstablished() { markEstablished(loop_.wsSettings().limits); }

void WsConnection::markEstablished(const WsLimits& limits) {
  established_ = true;
  codec_.setLimits(limits);
}

void WsConnection::start(std::shared_ptr<Listener> listener) {
  listener_ = std::move(listener);
  if (outlet_) return;  // relayed: no socket, no keepalive
  loop_.attach(shared_from_this());
  pollToken_ = fd_ >= 0 ? loop_.poller().add(fd_, this) : 0;
  // Registration reports data that arrived before it, so nothing sent early is missed.
  if (pollToken_ == 0) finish(1006);
}

// ---- reading -------------------------------------------------------------------------------

void WsConnection::receiveText(std::string_view payload) {
  if (state_ != State::Open || !listener_) return;
  LoopMetrics::add(loop_.metrics().framesIn);
  listener_->onWsMessage(*this, WsOpcode::Text, payload);
}

void WsConnection::peerGone(uint16_t code) { finish(code); }

void WsConnection::onPoll(uint32_t events) {
  if (state_ == State::Closed) return;
  if ((events & EPOLLOUT) && waitingWritable_) {
    waitingWritable_ = false;
    flush();
    if (state_ == State::Closed) return;
  }
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) onReadable();
}

// Edge-triggered: read until the socket is drained (a short read or EAGAIN), at most a few
// scratch-fulls per turn for fairness; then continue on a later turn, since no new edge will
// come for bytes already waiting.
void WsConnection::onReadable() {
  if (state_ == State::Closed) return;
  auto scratch = loop_.readScratch();
  for (int i = 0; i < kMaxReadsPerWakeup; ++i) {
    ssize_t n = ::recv(fd_, scratch.data(), scratch.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      return finish(peerClosed_ ? closeCode_ : 1006);  // reset
    }
    if (n == 0) return finish(peerClosed_ ? closeCode_ : 1006);  // EOF
    if (!accept(scratch.first(static_cast<size_t>(n)))) return;
    if (static_cast<size_t>(n) < scratch.size()) return;
  }
  boost::asio::post(loop_.io(), [self = shared_from_this()] { self->onReadable(); });
}

// Bytes read: stamp liveness, count, decode. Returns false once the connection has finished.
bool WsConnection::accept(std::span<uint8_t> bytes) {
  LoopMetrics::add(loop_.metrics().bytesIn, bytes.size());
  lastRead_ = loop_.coarseNow();
  pingOutstanding_ = false;
  return consume(bytes);
}

// Decodes every complete frame in `bytes` (plus any kept partial frame). Returns false once the
// connection has finished.
bool WsConnection::consume(std::span<uint8_t> bytes) {
  std::span<uint8_t> input = bytes;
  const bool usePending = !pending_.empty();
  if (usePending) {
    pending_.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    input = {reinterpret_cast<uint8_t*>(pending_.data()), pending_.size()};
  }
  size_t pos = 0;
  while (state_ != State::Closed && pos < input.size()) {
    WsEvent event = codec_.decode(input.subspan(pos));
    pos += event.consumed;
    if (event.kind == WsEvent::Kind::NeedMore) break;
    handle(event);
    if (event.kind == WsEvent::Kind::Error) {
      pos = input.size();  // nothing after a protocol error can be trusted
      break;
    }
  }
  if (state_ == State::Closed) return false;
  if (usePending) {
    pending_.erase(0, pos);
  } else if (pos < input.size()) {
    pending_.assign(reinterpret_cast<const char*>(input.data() + pos), input.size() - pos);
  }
  if (pending_.empty() && pending_.capacity() > 4096) std::string().swap(pending_);
  return true;
}

void WsConnection::handle(const WsEvent& event) {
  switch (event.kind) {
    case WsEvent::Kind::Message:
      LoopMetrics::add(loop_.metrics().framesIn);
      if (state_ == State::Open && listener_) listener_->onWsMessage(*this, event.opcode, event.payload);
      return;
    case WsEvent::Kind::Ping:
      // A peer that pings without reading gets no more pongs once its queue is full (RFC 6455
      // §5.5.3 lets us answer only some pings): a ping flood cannot grow our memory.
      if (state_ == State::Open && countedBytes() + event.payload.size() + 2 <= queueLimit_) {
        enqueueFrame(WsOpcode::Pong, event.payload, true);
      }
      return;
    case WsEvent::Kind::Pong:
      return;
    case WsEvent::Kind::Close:
      peerClosed_ = true;
      if (state_ == State::Open) {
        close(event.closeCode == wsclose::NoStatus ? wsclose::Normal : event.closeCode);
      } else if (closeFlushed_) {
        finish(closeCode_);
      }
      return;
    case WsEvent::Kind::Error:
      spdlog::debug("ws {} protocol error, closing with {}", remoteAddress(), event.closeCode);
      close(event.closeCode);
      return;
    case WsEvent::Kind::NeedMore:
      return;
  }
}

// ---- writing -------------------------------------------------------------------------------

void WsConnection::send(OutFrame& frame) {
  if (state_ != State::Open) return;
  if ((frame.flags() & OutFrame::Droppable) && !admitMediaChunk(frame)) return;
  // The fan-out path (once per subscriber per message): count, retain, append, ask for a flush.
  if (overLimitWith(frame)) return overflow();
  frame.retain();
  queue_.push_back(&frame);
  if (flushScheduled_ || waitingWritable_) return;
  flushScheduled_ = true;
  loop_.scheduleFlush(this);
}

// Media chunks: a connection that lags by half its queue skips whole chunks until the next key
// chunk, so it catches up instead of growing memory or being closed.
bool WsConnection::admitMediaChunk(const OutFrame& frame) {
  const bool key = frame.flags() & OutFrame::Key;
  if (queuedBytes_ + frame.size() > queueLimit_ / 2) skippingToKey_ = true;
  else if (skippingToKey_ && key) skippingToKey_ = false;
  if (!skippingToKey_) return true;
  LoopMetrics::add(loop_.metrics().chunksDropped);
  return false;
}

void WsConnection::sendText(std::string_view text) {
  if (state_ != State::Open) return;
  enqueueFrame(WsOpcode::Text, text, false);
}

// A frame of this connection's own (a reply, a control frame): encoded once, straight into a
// recycled buffer the frame owns (no shared bytes: one reader).
void WsConnection::enqueueFrame(WsOpcode opcode, std::string_view payload, bool control) {
  OutFrame* frame = OutFrame::makeOwned();
  WsCodec::appendFrame(frame->buffer(), opcode, payload);
  frame->seal();
  frame->retain();
  enqueue(*frame, control);
  frame->release();
}

// Releases queued frames; with keepPartial, a partly written head frame stays (so a close frame
// can still follow a frame boundary).
void WsConnection::dropQueue(bool keepPartial) {
  OutFrame* partial = (keepPartial && headOffset_ > 0 && head_ < queue_.size()) ? queue_[head_] : nullptr;
  for (size_t i = head_; i < queue_.size(); ++i) {
    if (queue_[i] != partial) queue_[i]->release();
  }
  std::vector<OutFrame*>().swap(queue_);
  head_ = 0;
  queuedBytes_ = 0;
  if (exempt_ != partial) exempt_ = nullptr;
  if (partial) {
    queuedBytes_ = partial->bytes().size() - headOffset_;
    queue_.push_back(partial);
  } else {
    headOffset_ = 0;
  }
}

// Counts `frame` as queued; true when the queue goes over its limit with it. One large frame at a
// time (over a quarter of the limit) is not counted while it waits: one message (a large
// document's sync answer, say) is bounded by its producer, and counting it would close every peer
// that asks for it; what the limit catches is a peer that lets frames pile up. So a connection
// holds at most the limit plus one large frame.
bool WsConnection::overLimitWith(OutFrame& frame) {
  queuedBytes_ += frame.size();
  if (!exempt_ && frame.size() > queueLimit_ / 4) exempt_ = &frame;
  return countedBytes() > queueLimit_;
}

// Queued bytes the limit counts: all but what is left to send of the exempt frame.
size_t WsConnection::countedBytes() const {
  if (!exempt_) return queuedBytes_;
  const bool sending = head_ < queue_.size() && queue_[head_] == exempt_;
  return queuedBytes_ - (sending ? exempt_->size() - headOffset_ : exempt_->size());
}

void WsConnection::enqueue(OutFrame& frame, bool control) {
  if (overLimitWith(frame) && !control) return overflow();
  frame.retain();
  queue_.push_back(&frame);
  if (flushScheduled_ || waitingWritable_) return;
  flushScheduled_ = true;
  loop_.scheduleFlush(this);
}

// Backpressure: a consumer that cannot keep up loses its queue, not the server its memory.
void WsConnection::overflow() {
  LoopMetrics::add(loop_.metrics().sendQueueDrops);
  dropQueue(true);
  spdlog::info("ws {} closed as a slow consumer (send queue over {} bytes)", remoteAddress(), queueLimit_);
  close(wsclose::SlowConsumer, "slow consumer");
}

void WsConnection::flush() {
  flushScheduled_ = false;
  if (state_ == State::Closed || waitingWritable_) return;
  if (outlet_) return flushToOutlet();
  // Our own sendmsg rather than asio's write_some: asio gathers at most 64 buffers per call,
  // and under fan-out a connection often has hundreds of small frames queued per loop turn.
  // One loop-wide iovec array (single-threaded) keeps the stack small.
  auto& iov = loop_.iovScratch();
  while (head_ < queue_.size()) {
    // Gather up to iov.size() queued frames into one sendmsg.
    size_t count = 0;
    for (size_t i = head_; i < queue_.size() && count < iov.size(); ++i, ++count) {
      const std::string& f = queue_[i]->bytes();
      size_t skip = (i == head_) ? headOffset_ : 0;
      iov[count] = {const_cast<char*>(f.data()) + skip, f.size() - skip};
    }
    ssize_t n;
    if (count == 1) {
      // One frame (a reply, most often): send() skips sendmsg's copy-in of the header and iovec.
      n = ::send(fd_, iov[0].iov_base, iov[0].iov_len, MSG_NOSIGNAL);
    } else {
      msghdr msg{};
      msg.msg_iov = iov.data();
      msg.msg_iovlen = count;
      n = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return waitWritable();
      return finish(closeCode_);
    }
    LoopMetrics::add(loop_.metrics().bytesOut, static_cast<uint64_t>(n));
    LoopMetrics::add(loop_.metrics().framesOut, advance(static_cast<size_t>(n)));
  }
  // Drained. The queue's capacity is kept for the next loop turn (a busy connection would
  // otherwise regrow it every turn); the keepalive tick frees it once the connection is idle.
  queue_.clear();
  head_ = headOffset_ = queuedBytes_ = 0;
  exempt_ = nullptr;
  if (closeQueued_ && !closeFlushed_) onCloseFlushed();
}

// Relayed: the turn's frames leave as one string (one message to the client's node).
void WsConnection::flushToOutlet() {
  std::string frames;
  frames.reserve(queuedBytes_);
  for (size_t i = head_; i < queue_.size(); ++i) {
    frames += queue_[i]->bytes();
    queue_[i]->release();
  }
  LoopMetrics::add(loop_.metrics().framesOut, queue_.size() - head_);
  queue_.clear();
  head_ = headOffset_ = queuedBytes_ = 0;
  exempt_ = nullptr;
  if (!frames.empty()) outlet_->deliver(std::move(frames));
}

size_t WsConnection::advance(size_t written) {
  queuedBytes_ -= written;
  size_t done = 0;
  while (written > 0) {
    size_t left = queue_[head_]->size() - headOffset_;
    if (written < left) {
      headOffset_ += written;
      return done;
    }
    written -= left;
    if (queue_[head_] == exempt_) exempt_ = nullptr;
    queue_[head_]->release();
    queue_[head_] = nullptr;
    ++head_;
    ++done;
    headOffset_ = 0;
  }
  return done;
}

// The poller reports the socket writable again (an EPOLLOUT edge) and onPoll flushes.
void WsConnection::waitWritable() { waitingWritable_ = true; }

// ---- closing -------------------------------------------------------------------------------

void WsConnection::close(uint16_t code, std::string_view reason) {
  if (state_ != State::Open) return;
  state_ = State::Closing;
  closeCode_ = code;
  if (outlet_) {
    // What was queued goes first; the cleanups run on a later turn (a caller may be walking the
    // very list they change, as a local connection's close would not run them at once either).
    flushToOutlet();
    outlet_->closed(code, reason);
    boost::asio::post(loop_.io(), [self = shared_from_this(), code] { self->finish(code); });
    return;
  }
  closeDeadline_ = loop_.coarseNow() + loop_.wsSettings().closeTimeout;
  closeQueued_ = true;
  enqueueFrame(WsOpcode::Close, WsCodec::closePayload(code, reason), true);
}

void WsConnection::onCloseFlushed() {
  closeFlushed_ = true;
  // Both close frames exchanged: the server closes TCP first (RFC 6455 §7.1.1).
  if (peerClosed_) return finish(closeCode_);
  // Otherwise half-close and keep reading until the peer's close frame or EOF, so unread data
  // never turns our close into a reset that would swallow the close frame.
  ::shutdown(fd_, SHUT_WR);
}

void WsConnection::tick(EventLoop::Clock::time_point now) {
  const auto& s = loop_.wsSettings();
  // An idle connection keeps no queue memory (bench/conn_memory).
  if (queue_.empty() && queue_.capacity() > 16) std::vector<OutFrame*>().swap(queue_);
  if (state_ == State::Closing) {
    if (now >= closeDeadline_) finish(closeCode_);
    return;
  }
  if (state_ != State::Open) return;
  if (!established_ && now - openedAt_ >= s.connectTimeout) {
    return close(wsclose::ConnectTimeout, "no connect request in time");
  }
  if (now >= expiresAt_) return close(wsclose::TokenExpired, "token expired");
  if (pingOutstanding_) {
    if (now - pingSentAt_ >= s.pingTimeout) finish(1006);  // presumed dead: no close frame
    return;
  }
  if (now - lastRead_ >= s.pingInterval) {
    pingOutstanding_ = true;
    pingSentAt_ = now;
    enqueueFrame(WsOpcode::Ping, {}, true);
  }
}

void WsConnection::finish(uint16_t code) {
  if (state_ == State::Closed) return;
  auto self = shared_from_this();
  state_ = State::Closed;
  // The place goes back before the socket closes: a peer that sees the close may connect again.
  place_.release();
  if (fd_ >= 0) {
    loop_.poller().remove(fd_, pollToken_);
    ::close(fd_);
    fd_ = -1;
  }
  dropQueue(false);
  // The loop may still hold this connection in its flush list: keep it alive until that runs.
  if (flushScheduled_) loop_.retainUntilFlush(self);
  loop_.detach(*this);
  if (auto listener = std::move(listener_)) listener->onWsClosed(*this, code);
}

}  // namespace onair::net
