#include "engine/redis/RedisSubscriber.hpp"

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
}  // namespace

RedisSubscriber::RedisSubscriber(boost::asio::io_context& io, RedisSettings settings, MessageHandler onMessage,
                                 ResubscribedHandler onResubscribed)
    : connection_(RedisConnection::create(io, std::move(settings), this)),
      onMessage_(std::move(onMessage)),
      onResubscribed_(std::move(onResubscribed)) {
  connection_->start();
}

RedisSubscriber::~RedisSubscriber() { connection_->close(); }

std::set<std::string>& RedisSubscriber::names(Kind kind) {
  switch (kind) {
    case Kind::Pattern: return patterns_;
    case Kind::Shard: return shardChannels_;
    default: return channels_;
  }
}

void RedisSubscriber::subscribe(const std::string& name, Kind kind) {
  if (!names(kind).insert(name).second || !connection_->up()) return;
  ++awaiting_;
  connection_->send({subscribeVerb(kind), name});
}

void RedisSubscriber::unsubscribe(const std::string& name, Kind kind) {
  if (names(kind).erase(name) == 0 || !connection_->up()) return;
  connection_->send({unsubscribeVerb(kind), name});
}

void RedisSubscriber::onConnectionUp(bool reconnect) {
  // One command per name: SSUBSCRIBE's channels must share a slot in a cluster.
  awaiting_ = 0;
  for (auto kind : {Kind::Channel, Kind::Pattern, Kind::Shard}) {
    for (const auto& name : names(kind)) {
      ++awaiting_;
      connection_->send({subscribeVerb(kind), name});
    }
  }
  reportWhenSettled_ = reconnect;
  if (reconnect && awaiting_ == 0 && onResubscribed_) {
    reportWhenSettled_ = false;
    onResubscribed_();
  }
}

void RedisSubscriber::onConnectionDown(RedisOutcome::Error, const std::string&) {
  awaiting_ = 0;
  reportWhenSettled_ = false;
}

void RedisSubscriber::onConnectionReply(RedisReply reply) {
  const bool confirmation = reply.isError() || (reply.isArray() && !reply.elements().empty() &&
                                                (reply.elements()[0].isText("subscribe") ||
                                                 reply.elements()[0].isText("psubscribe") ||
                                                 reply.elements()[0].isText("ssubscribe")));
  if (!confirmation) return deliver(reply);
  if (reply.isError()) spdlog::warn("redis subscriber: subscription refused: {}", reply.text());
  if (awaiting_ > 0) --awaiting_;
  if (awaiting_ == 0 && reportWhenSettled_) {
    reportWhenSettled_ = false;
    if (onResubscribed_) onResubscribed_();
  }
}

// ["message", channel, payload], ["smessage", channel, payload],
// ["pmessage", pattern, channel, payload]; anything else (unsubscribe confirmations) is ignored.
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
