#include "engine/redis/RedisEngine.hpp"

#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include <future>
#include <random>

namespace onair::engine::redis {

namespace {

std::string randomNodeId() {
  std::random_device rd;
  std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd());
  return fmt::format("{:016x}", gen());
}

RedisEngineSettings withNodeId(RedisEngineSettings settings) {
  if (settings.nodeId.empty()) settings.nodeId = randomNodeId();
  return settings;
}

}  // namespace

RedisEngine::RedisEngine(RedisEngineSettings settings)
    : settings_(withNodeId(std::move(settings))),
      work_(boost::asio::make_work_guard(io_)),
      link_(io_, RedisKeys(settings_.prefix), settings_.nodeId),
      broker_(link_),
      history_(link_),
      leases_(link_),
      presence_(link_, settings_.presenceTtlMs),
      registry_(link_),
      nodes_(link_, settings_.nodeTtlMs) {
  boost::asio::post(io_, [this] { startOnLoop(); });
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "onair-redis");
    io_.run();
  });
}

RedisEngine::~RedisEngine() { stop(); }

void RedisEngine::startOnLoop() {
  client_ = std::make_unique<RedisClient>(io_, settings_.connection);
  subscriber_ = std::make_unique<RedisSubscriber>(
      io_, settings_.connection, [this](const RedisSubscriber::Message& m) { broker_.onMessage(m); },
      [this] { broker_.onResubscribed(); });
  link_.attach(client_.get(), subscriber_.get());
  readinessTimer_ = std::make_unique<boost::asio::steady_timer>(io_);
  watchReadiness();
  presence_.startRefreshing();
}

void RedisEngine::watchReadiness() {
  ready_.store(client_ && client_->connected() && subscriber_ && subscriber_->connected(), std::memory_order_relaxed);
  {
    std::lock_guard lock(countersMutex_);
    clientCounters_ = client_->counters();
    subscriberCounters_ = subscriber_->counters();
  }
  readinessTimer_->expires_after(std::chrono::milliseconds(100));
  readinessTimer_->async_wait([this](const boost::system::error_code& ec) {
    if (!ec) watchReadiness();
  });
}

RedisCounters RedisEngine::clientCounters() const {
  std::lock_guard lock(countersMutex_);
  return clientCounters_;
}

RedisCounters RedisEngine::subscriberCounters() const {
  std::lock_guard lock(countersMutex_);
  return subscriberCounters_;
}

void RedisEngine::stop() {
  if (stopped_.exchange(true)) return;
  // Replies come in order: once a PING sent now is answered (or fails), every command sent before
  // it has had its answer. A script answered NOSCRIPT is sent again (EVAL) from that answer, after
  // the first PING: a second PING, sent once the first is answered, waits for those too. Then the
  // connections close on their own thread.
  std::promise<void> drained;
  boost::asio::post(io_, [this, &drained] {
    if (!client_) return drained.set_value();
    client_->command({"PING"}, [this, &drained](RedisOutcome) {
      client_->command({"PING"}, [&drained](RedisOutcome) { drained.set_value(); });
    });
  });
  drained.get_future().wait();
  boost::asio::post(io_, [this] {
    presence_.stopRefreshing();
    link_.attach(nullptr, nullptr);
    if (readinessTimer_) readinessTimer_->cancel();
    subscriber_.reset();
    client_.reset();
    readinessTimer_.reset();
    ready_.store(false);
    work_.reset();
  });
  if (thread_.joinable()) thread_.join();
}

}  // namespace onair::engine::redis
