#include "engine/redis/RedisSubscriber.hpp"

#include <boost/asio/post.hpp>

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
                                 ResubscribedHandler onResubscribed)
    : io_(io),
      connection_(RedisConnection::create(io, std::move(settings), this)),
      onMessage_(std::move(onMessage)),
      onResubscribed_(std::move(onResubscribed)),
      deadlineTimer_(io),
      pingTimer_(io) {
  connection_->start();
  schedulePing();
}

RedisSubscriber::~RedisSubscriber() {
  connection_->close();
  deadlineTimer_.cancel();
  pingTimer_.cancel();
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
  onAnswer(reply);
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
  if (expected.confirmed) {
    expected.confirmed(reply.isError() ? RedisOutcome::failure(RedisOutcome::Error::Server, reply.text())
                                       : RedisOutcome::success(reply));
  }
  if (awaiting_ == 0 && reportWhenSettled_) {
    reportWhenSettled_ = false;
    if (onResubscribed_) onResubscribed_();
  }
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
// ["pmessage", pattern, channel, payload]; anything else (an unsubscribe Redis pushed by itself)
// is ignored.
void RedisSubscriber::deliver(const RedisReply& reply) {
  if (!reply.isArray() || !onMessage_) return;
  const auto& parts = reply.elements();
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
