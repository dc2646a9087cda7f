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
      link_(io_, RedisKeys(settings_.prefix), settings_.nodeId, settings_.clusterMode()),
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
  auto onMessage = [this](const RedisSubscriber::Message& m) { broker_.onMessage(m); };
  auto onResubscribed = [this] { broker_.onResubscribed(); };
  if (settings_.clusterMode()) {
    clusterClient_ = std::make_unique<cluster::RedisClusterClient>(io_, settings_.connection);
    clusterSubscriber_ = std::make_unique<cluster::RedisClusterSubscriber>(io_, *clusterClient_, onMessage, onResubscribed);
    link_.attach(clusterClient_.get(), clusterSubscriber_.get());
  } else {
    client_ = std::make_unique<RedisClientPool>(io_, settings_.connection, settings_.poolSize);
    subscriber_ = std::make_unique<RedisSubscriber>(io_, settings_.connection, onMessage, onResubscribed);
    link_.attach(client_.get(), subscriber_.get());
  }
  readinessTimer_ = std::make_unique<boost::asio::steady_timer>(io_);
  watchReadiness();
  presence_.startRefreshing();
}

void RedisEngine::watchReadiness() {
  // A tick already queued when stop() cancelled the timer finds the connections gone.
  auto* commands = link_.commands();
  auto* subscriber = link_.subscriber();
  if (!commands || !subscriber || !readinessTimer_) return;
  ready_.store(commands->connected() && subscriber->connected(), std::memory_order_relaxed);
  {
    std::lock_guard lock(countersMutex_);
    clientCounters_ = client_ ? client_->counters() : clusterClient_->connectionCounters();
    subscriberCounters_ = subscriber_ ? subscriber_->counters() : clusterSubscriber_->counters();
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

// One connection answers in order: once a PING sent now is answered (or fails), every command
// sent before it has had its answer. A script answered NOSCRIPT is sent again (EVAL) from that
// answer, after the first PING: a second PING, sent once the first is answered, waits for those
// too. A cluster gives no order across masters: its client counts what is still unanswered.
void RedisEngine::drain(std::function<void()> done) {
  if (clusterClient_) return clusterClient_->whenIdle(std::move(done));
  if (!client_) return done();
  client_->whenAnswered(std::move(done));
}

void RedisEngine::stop() {
  if (stopped_.exchange(true)) return;
  // Let the commands already sent finish, then close the connections on their own thread.
  std::promise<void> drained;
  boost::asio::post(io_, [this, &drained] { drain([&drained] { drained.set_value(); }); });
  drained.get_future().wait();
  boost::asio::post(io_, [this] {
    presence_.stopRefreshing();
    link_.attach(nullptr, nullptr);
    if (readinessTimer_) readinessTimer_->cancel();
    // Subscribers first: the cluster's subscriber uses the cluster client.
    subscriber_.reset();
    clusterSubscriber_.reset();
    client_.reset();
    clusterClient_.reset();
    readinessTimer_.reset();
    ready_.store(false);
    work_.reset();
  });
  if (thread_.joinable()) thread_.join();
}

}  // namespace onair::engine::redis
