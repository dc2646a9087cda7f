#include "net/EventLoop.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "net/WsConnection.hpp"

namespace onair::net {
namespace {
constexpr auto kTick = std::chrono::milliseconds(250);
constexpr size_t kScratchBytes = 64 * 1024;
}  // namespace

EventLoop::EventLoop(size_t index, WsSettings settings)
    : index_(index), settings_(settings), scratch_(kScratchBytes) {}

EventLoop::~EventLoop() {
  stop();
  join();
}

void EventLoop::post(std::function<void()> fn) { boost::asio::post(io_, std::move(fn)); }

void EventLoop::scheduleFlush(WsConnection* connection) {
  dirty_.push_back(connection);
  if (flushPosted_ || flushHeld_) return;
  flushPosted_ = true;
  boost::asio::post(io_, [this] { flushAll(); });
}

void EventLoop::releaseFlushes() {
  flushHeld_ = false;
  if (!dirty_.empty()) flushAll();
}

void EventLoop::retainUntilFlush(std::shared_ptr<WsConnection> connection) { retained_.push_back(std::move(connection)); }

void EventLoop::flushAll() {
  flushPosted_ = false;
  std::vector<WsConnection*> batch;
  batch.swap(dirty_);
  for (auto* c : batch) c->flush();  // a finished one returns at once (and is retained)
  retained_.clear();
  // Reuse the vector's memory unless a burst made it large.
  if (dirty_.empty() && batch.capacity() <= 1024) dirty_.swap(batch), dirty_.clear();
}

void EventLoop::attach(const std::shared_ptr<WsConnection>& connection) {
  connection->registryIndex_ = connections_.size();
  connections_.push_back(connection);
  LoopMetrics::add(metrics_.connections);
  LoopMetrics::add(metrics_.connectionsTotal);
}

void EventLoop::detach(WsConnection& connection) {
  size_t i = connection.registryIndex_;
  if (i >= connections_.size() || connections_[i].get() != &connection) return;
  if (i + 1 != connections_.size()) {
    connections_[i] = std::move(connections_.back());
    connections_[i]->registryIndex_ = i;
  }
  connections_.pop_back();
  LoopMetrics::sub(metrics_.connections);
}

void EventLoop::closeAll(uint16_t code, std::string_view reason) {
  auto all = connections_;
  for (auto& c : all) c->close(code, reason);
}

void EventLoop::start() {
  nextTickDue_ = Clock::now() + kTick;
  armTick();
  thread_ = std::thread([this] {
    try {
      io_.run();
    } catch (const std::exception& e) {
      spdlog::critical("loop {} stopped by an exception: {}", index_, e.what());
      std::terminate();
    }
  });
}

void EventLoop::stop() { io_.stop(); }

void EventLoop::join() {
  if (thread_.joinable()) thread_.join();
}

void EventLoop::armTick() {
  tick_.expires_at(nextTickDue_);
  tick_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) onTick();
  });
}

void EventLoop::onTick() {
  // Loop lag: how late this timer fired. A busy loop shows it here before users feel it.
  coarseNow_ = Clock::now();
  auto lag = std::chrono::duration_cast<std::chrono::microseconds>(coarseNow_ - nextTickDue_).count();
  if (lag < 0) lag = 0;
  metrics_.loopLagMicros.store(static_cast<uint64_t>(lag), std::memory_order_relaxed);
  if (static_cast<uint64_t>(lag) > metrics_.loopLagMaxMicros.load(std::memory_order_relaxed)) {
    metrics_.loopLagMaxMicros.store(static_cast<uint64_t>(lag), std::memory_order_relaxed);
  }
  // Keepalive, connect and close deadlines: every connection once a second.
  if (++ticks_ % 4 == 0) {
    // Backwards, so a connection that finishes (swapped out by detach) skips no other.
    for (size_t i = connections_.size(); i-- > 0;) {
      if (i < connections_.size()) connections_[i]->tick(coarseNow_);
    }
  }
  nextTickDue_ = coarseNow_ + kTick;
  armTick();
}

}  // namespace onair::net
