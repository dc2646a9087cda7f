#include "engine/redis/RedisSubscriber.hpp"

#include <boost/asio/post.hpp>

#include "engine/redis/cluster/ClusterRedirect.hpp"
#include "engine/redis/cluster/HashSlot.hpp"
#include "util/Log.hpp"

namespace onair::engine::redis {

namespace {
const char* subscribeVerb(RedisSubscriber::Kind kind) {
  switch (kind) {
    case RedisSubscriber::Kind::Pattern: return "PSUBSCRIBE";
    case RedisSubscriber::Kind::Shard: return "SSUBSCRIBE";
    default: return "SUBSCRIBE";
  }
}
const char* unsubscribeVerb(RedisSubscriber::Kind kind) {
  switch (kind) {
    case RedisSubscriber::Kind::Pattern: return "PUNSUBSCRIBE";
    case RedisSubscriber::Kind::Shard: return "SUNSUBSCRIBE";
    default: return "UNSUBSCRIBE";
  }
}
const char* unsubscribeReply(RedisSubscriber::Kind kind) {
  switch (kind) {
    case RedisSubscriber::Kind::Pattern: return "punsubscribe";
    case RedisSubscriber::Kind::Shard: return "sunsubscribe";
    default: return "unsubscribe";
  }
}
}  // namespace

RedisSubscriber::RedisSubscriber(boost::asio::io_context& io, RedisSettings settings, MessageHandler onMessage,
                                 ResubscribedHandler onResubscribed, DroppedHandler onDropped)
    : io_(io),
      connection_(RedisConnection::create(io, std::move(settings), this)),
      onMessage_(std::move(onMessage)),
      onResubscribed_(std::move(onResubscribed)),
      onDropped_(std::move(onDropped)),
      retryTimer_(io),
      deadlineTimer_(io),
      pingTimer_(io) {
  connection_->start();
  schedulePing();
}

RedisSubscriber::~RedisSubscriber() {
  connection_->close();
  deadlineTimer_.cancel();
  pingTimer_.cancel();
  retryTimer_.cancel();
}

std::set<std::string>& RedisSubscriber::names(Kind kind) {
  switch (kind) {
    case Kind::Pattern: return patterns_;
    case Kind::Shard: return shardChannels_;
    default: return channels_;
  }
}

void RedisSubscriber::subscribe(const std::string& name, Kind kind, Confirmation confirmed) {
  const bool added = names(kind).insert(name).second;
  if (!connection_->up()) {
    if (!confirmed) return;
    boost::asio::post(io_, [life = std::weak_ptr<int>(life_), confirmed = std::move(confirmed)] {
      if (!life.expired()) confirmed(RedisOutcome::failure(RedisOutcome::Error::Disconnected, "not connected to Redis"));
    });
    return;
  }
  // Already subscribed: Redis confirms a repeated SUBSCRIBE too, so one is sent only when asked to.
  if (added || confirmed) sendSubscribe(name, kind, std::move(confirmed));
}

void RedisSubscriber::unsubscribe(const std::string& name, Kind kind) {
  std::erase(refused_, std::pair{name, kind});
  if (names(kind).erase(name) == 0 || !connection_->up()) return;
  connection_->send({unsubscribeVerb(kind), name});
  expect({Expected::What::Unsubscribe, kind, name, {}, {}});
}

void RedisSubscriber::sendSubscribe(const std::string& name, Kind kind, Confirmation confirmed) {
  ++awaiting_;
  connection_->send({subscribeVerb(kind), name});
  expect({Expected::What::Subscribe, kind, name, std::move(confirmed), {}});
}

void RedisSubscriber::expect(Expected expected) {
  expected.deadline = Clock::now() + connection_->settings().commandTimeout;
  expected_.push_back(std::move(expected));
  armDeadline();
}

void RedisSubscriber::onConnectionUp(bool reconnect) {
  // One command per name: SSUBSCRIBE's channels must share a slot in a cluster.
  awaiting_ = 0;
  refused_.clear();
  retryDelay_ = kFirstRetry;
  for (auto kind : {Kind::Channel, Kind::Pattern, Kind::Shard}) {
    for (const auto& name : names(kind)) sendSubscribe(name, kind, {});
  }
  reportWhenSettled_ = reconnect;
  if (reconnect && awaiting_ == 0 && onResubscribed_) {
    reportWhenSettled_ = false;
    onResubscribed_();
  }
}

void RedisSubscriber::onConnectionDown(RedisOutcome::Error why, const std::string& message) {
  awaiting_ = 0;
  refused_.clear();  // the next connect sends everything again
  retryTimer_.cancel();
  retryArmed_ = false;
  retryTaken_ = false;
  reportWhenSettled_ = false;
  pingOutstanding_ = false;
  // Callbacks may subscribe again (recorded for the next connect): work on a copy.
  auto failed = std::move(expected_);
  expected_.clear();
  for (auto& expected : failed) {
    if (expected.confirmed) expected.confirmed(RedisOutcome::failure(why, "subscription lost: " + message));
  }
}

void RedisSubscriber::onConnectionReply(RedisReply reply) {
  const auto& parts = reply.elements();
  const bool confirmation = reply.isError() || reply.isText("PONG") ||
                            (reply.isArray() && !parts.empty() &&
                             (parts[0].isText("subscribe") || parts[0].isText("psubscribe") ||
                              parts[0].isText("ssubscribe") || parts[0].isText("pong"))) ||
                            answersUnsubscribe(reply);
  if (!confirmation) return deliver(reply);
  if (strayRedirect(reply)) {
    spdlog::debug("redis subscriber: dropped a redirection answering an unsubscribe already answered: {}", reply.text());
    return;
  }
  onAnswer(reply);
}

// -MOVED/-ASK name a slot: one that is not the slot of the oldest expected (un)subscribe answers
// an SUNSUBSCRIBE whose answer was taken already (a pushed `sunsubscribe` came first).
bool RedisSubscriber::strayRedirect(const RedisReply& reply) const {
  if (!reply.isError()) return false;
  const auto redirect = cluster::ClusterRedirect::parse(reply.text());
  if (!redirect) return false;
  if (expected_.empty()) return true;
  const auto& front = expected_.front();
  return front.what == Expected::What::Pong || front.kind != Kind::Shard ||
         cluster::HashSlot::of(front.name) != redirect->slot;
}

// ["unsubscribe", name, count] (or punsubscribe, sunsubscribe) answers our oldest expected reply
// when that is an unsubscribe of this name; otherwise it is a push Redis sent by itself (a
// cluster node drops the shard channels of a slot that leaves it) and answers nothing.
bool RedisSubscriber::answersUnsubscribe(const RedisReply& reply) const {
  if (expected_.empty() || expected_.front().what != Expected::What::Unsubscribe) return false;
  const auto& parts = reply.elements();
  if (!reply.isArray() || parts.size() < 2) return false;
  const auto& front = expected_.front();
  return parts[0].isText(unsubscribeReply(front.kind)) && parts[1].isText(front.name);
}

// A confirmation, a pong or an error: the answer to the oldest expected reply.
void RedisSubscriber::onAnswer(const RedisReply& reply) {
  if (expected_.empty()) return;
  auto expected = std::move(expected_.front());
  expected_.pop_front();
  if (expected.what == Expected::What::Pong) {
    pingOutstanding_ = false;
  } else if (expected.what == Expected::What::Subscribe && awaiting_ > 0) {
    --awaiting_;
  }
  if (reply.isError()) spdlog::warn("redis subscriber: {} refused: {}", expected.name.empty() ? "PING" : expected.name, reply.text());
  // A subscription nobody waits on (sent again by a connect, or moved) that Redis refused: try
  // it later.
  if (reply.isError() && expected.what == Expected::What::Subscribe && !expected.confirmed &&
      !cluster::ClusterRedirect::parse(reply.text()) && names(expected.kind).count(expected.name) != 0) {
    refused_.emplace_back(expected.name, expected.kind);
    retryRefusedLater();
  }
  if (expected.retry && !reply.isError()) retryTaken_ = true;
  if (expected.confirmed) {
    expected.confirmed(reply.isError() ? RedisOutcome::failure(RedisOutcome::Error::Server, reply.text())
                                       : RedisOutcome::success(reply));
  }
  reportIfSettled();
}

// After a reconnect once every subscription is answered (refused ones are retried), and again
// once a retried one is taken (the Broker then recovers what it missed).
void RedisSubscriber::reportIfSettled() {
  if (awaiting_ != 0 || !(reportWhenSettled_ || retryTaken_)) return;
  reportWhenSettled_ = false;
  retryTaken_ = false;
  if (refused_.empty()) retryDelay_ = kFirstRetry;
  if (onResubscribed_) onResubscribed_();
}

void RedisSubscriber::retryRefusedLater() {
  if (retryArmed_) return;
  retryArmed_ = true;
  retryTimer_.expires_after(retryDelay_);
  retryDelay_ = std::min(retryDelay_ * 2, kLastRetry);
  retryTimer_.async_wait([this, life = std::weak_ptr<int>(life_)](const boost::system::error_code& ec) {
    if (life.expired() || ec) return;
    retryArmed_ = false;
    if (!connection_->up()) return;  // the next connect sends everything
    auto refused = std::exchange(refused_, {});
    for (const auto& [name, kind] : refused) {
      if (names(kind).count(name) == 0) continue;  // unsubscribed meanwhile
      sendSubscribe(name, kind, {});
      expected_.back().retry = true;
    }
  });
}

// ["sunsubscribe", channel, count] answering no command of ours: Redis dropped the channel.
void RedisSubscriber::onPushedUnsubscribe(const RedisReply& reply) {
  const auto channel = reply.elements()[1].text();
  if (shardChannels_.erase(channel) == 0) return;
  spdlog::debug("redis subscriber: Redis dropped shard channel {}", channel);
  if (onDropped_) onDropped_(channel, Kind::Shard);
}

void RedisSubscriber::armDeadline() {
  if (deadlineArmed_ || expected_.empty()) return;
  deadlineArmed_ = true;
  deadlineTimer_.expires_at(expected_.front().deadline);
  deadlineTimer_.async_wait([this, life = std::weak_ptr<int>(life_)](const boost::system::error_code&) {
    if (life.expired()) return;
    deadlineArmed_ = false;
    onDeadline();
  });
}

void RedisSubscriber::onDeadline() {
  if (expected_.empty()) return;
  if (expected_.front().deadline > Clock::now()) return armDeadline();
  ++keepaliveDrops_;
  // Drop tells onConnectionDown, which fails and clears every expected reply.
  connection_->drop(RedisOutcome::Error::Timeout, "no answer from Redis within the command timeout");
}

void RedisSubscriber::schedulePing() {
  const auto interval = connection_->settings().keepaliveInterval;
  if (interval.count() <= 0) return;
  pingTimer_.expires_after(interval);
  pingTimer_.async_wait([this, life = std::weak_ptr<int>(life_)](const boost::system::error_code& ec) {
    if (life.expired() || ec) return;
    ping();
    schedulePing();
  });
}

void RedisSubscriber::ping() {
  if (!connection_->up() || pingOutstanding_) return;
  pingOutstanding_ = true;
  connection_->send({"PING"});
  expect({Expected::What::Pong, Kind::Channel, {}, {}, {}});
}

// ["message", channel, payload], ["smessage", channel, payload],
// ["pmessage", pattern, channel, payload], or an unsubscribe Redis pushed by itself; anything
// else is ignored.
void RedisSubscriber::deliver(const RedisReply& reply) {
  if (!reply.isArray()) return;
  const auto& parts = reply.elements();
  if (parts.size() == 3 && parts[0].isText("sunsubscribe")) return onPushedUnsubscribe(reply);
  if (!onMessage_) return;
  if (parts.size() == 3 && (parts[0].isText("message") || parts[0].isText("smessage"))) {
    Message message{parts[0].isText("message") ? Kind::Channel : Kind::Shard, {}, parts[1].text(), parts[2].text()};
    return onMessage_(message);
  }
  if (parts.size() == 4 && parts[0].isText("pmessage")) {
    Message message{Kind::Pattern, parts[1].text(), parts[2].text(), parts[3].text()};
    onMessage_(message);
  }
}

}  // namespace onair::engine::redis
