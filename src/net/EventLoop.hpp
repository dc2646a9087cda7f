#pragma once
// One shard's event loop (DESIGN.md §2): an io_context run by one thread, the WebSocket
// connections that live on it, its write scheduler (corking) and its metrics.
//
// Contract: every method except post(), index(), metrics() and connectionCount() is called on
// the loop's own thread.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <sys/uio.h>

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <thread>
#include <vector>

#include "net/LoopMetrics.hpp"
#include "net/WsPoller.hpp"
#include "net/WsSettings.hpp"

namespace onair::net {

class WsConnection;

class EventLoop {
 public:
  using Clock = std::chrono::steady_clock;

  EventLoop(size_t index, WsSettings settings);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  size_t index() const { return index_; }
  boost::asio::io_context& io() { return io_; }
  LoopMetrics& metrics() { return metrics_; }
  const WsSettings& wsSettings() const { return settings_; }

  // Runs `fn` on this loop's thread. Safe from any thread.
  void post(std::function<void()> fn);
  // True on this loop's own thread (inside run()).
  bool isCurrentThread() { return io_.get_executor().running_in_this_thread(); }

  // A clock read once per tick (250 ms): cheap enough to stamp every read with.
  Clock::time_point coarseNow() const { return coarseNow_; }

  // Readiness of this loop's WebSocket sockets (see WsPoller).
  WsPoller& poller() { return poller_; }

  // Scratch space for socket reads. Connections copy out only what they must keep.
  std::span<uint8_t> readScratch() { return {scratch_.data(), scratch_.size()}; }
  // Scratch iovecs for a connection's gathered write (IOV_MAX entries), used within one call.
  std::array<iovec, 1024>& iovScratch() { return iov_; }

  // Corking: a connection with queued frames asks once per loop turn; all of them are flushed
  // together after the handlers that queued the frames have run.
  void scheduleFlush(WsConnection* connection);
  // Around a pass over ready sockets (WsPoller): flushes asked for meanwhile wait for
  // releaseFlushes(), which runs them at once (no posted task per pass).
  void holdFlushes() { flushHeld_ = true; }
  void releaseFlushes();
  // A finished connection still in the flush list stays alive until the flush has run.
  void retainUntilFlush(std::shared_ptr<WsConnection> connection);

  // The loop's connections, for keepalive sweeps and shutdown.
  void attach(const std::shared_ptr<WsConnection>& connection);
  void detach(WsConnection& connection);
  size_t connectionCount() const { return metrics_.connections.load(std::memory_order_relaxed); }
  void closeAll(uint16_t code, std::string_view reason);

  // Starts the loop's thread (or runs inline when `inline` is true, for tests).
  void start();
  void stop();
  void join();

 private:
  void armTick();
  void onTick();
  void flushAll();

  size_t index_;
  WsSettings settings_;
  boost::asio::io_context io_{1};
  WsPoller poller_{io_, *this};
  boost::asio::steady_timer tick_{io_};
  Clock::time_point coarseNow_ = Clock::now();
  Clock::time_point nextTickDue_;
  unsigned ticks_ = 0;
  LoopMetrics metrics_;
  std::vector<uint8_t> scratch_;
  std::array<iovec, 1024> iov_{};
  std::vector<WsConnection*> dirty_;
  std::vector<std::shared_ptr<WsConnection>> retained_;
  bool flushPosted_ = false;
  bool flushHeld_ = false;
  std::vector<std::shared_ptr<WsConnection>> connections_;
  std::thread thread_;
};

}  // namespace onair::net
