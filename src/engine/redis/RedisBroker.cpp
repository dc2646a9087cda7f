#include "engine/redis/RedisBroker.hpp"

#include "engine/redis/BrokerEnvelope.hpp"
#include "util/Log.hpp"

namespace onair::engine::redis {

namespace {
constexpr int64_t kRetryAfterMs = 1000;
}  // namespace

void RedisBroker::publish(const std::string& topic, Payload payload) {
  auto envelope = BrokerEnvelope::encodeFrame(payload ? std::string_view(*payload) : std::string_view());
  link_.run([this, channel = link_.keys().key("b", topic), envelope = std::move(envelope)](RedisCommands& client) mutable {
    client.command({publishVerb(), std::move(channel), std::move(envelope)}, [this](RedisOutcome outcome) {
      if (outcome.ok()) {
        published_.fetch_add(1, std::memory_order_relaxed);
        return;
      }
      publishFailures_.fetch_add(1, std::memory_order_relaxed);
      spdlog::debug("redis broker: publish failed: {}", outcome.message);
    });
  });
}

// A Redis Cluster forwards PUBLISH to every node of the cluster; SPUBLISH stays within the shard
// serving the channel's slot, where its subscribers are.
const char* RedisBroker::publishVerb() const { return link_.cluster() ? "SPUBLISH" : "PUBLISH"; }

RedisPubSub::Kind RedisBroker::channelKind() const {
  return link_.cluster() ? RedisPubSub::Kind::Shard : RedisPubSub::Kind::Channel;
}

void RedisBroker::subscribe(const std::string& topic, std::function<void(Outcome<Done>)> done) {
  link_.run([this, topic, done = std::move(done)](RedisCommands&) mutable { subscribeOnLoop(topic, std::move(done)); });
}

void RedisBroker::unsubscribe(const std::string& topic) {
  link_.run([this, topic](RedisCommands&) { unsubscribeOnLoop(topic); });
}

void RedisBroker::subscribeOnLoop(const std::string& name, Completion done) {
  // One Redis: nothing is confirmed while its connection is down. On a cluster the master of the
  // channel's slot answers through the confirmation: other masters being down does not matter.
  auto* subscriber = link_.subscriber();
  if (!subscriber || (!link_.cluster() && !subscriber->connected()))
    return done(EngineError{"redis: the subscriber connection is down", kRetryAfterMs});
  const auto channel = link_.keys().key("b", name);
  auto& topic = topics_[channel];
  topic.name = name;
  ++topic.count;
  if (topic.confirmed) return done(Done{});
  topic.waiting.push_back(std::move(done));
  // Until confirmed, every counted subscribe() waits: only the first one sends SUBSCRIBE.
  if (topic.waiting.size() > 1) return;
  const uint64_t generation = topic.generation = nextGeneration_++;
  subscriber->subscribe(channel, channelKind(),
                        [this, channel, generation](const RedisOutcome& outcome) { onConfirmed(channel, generation, outcome); });
}

void RedisBroker::onConfirmed(const std::string& channel, uint64_t generation, const RedisOutcome& outcome) {
  auto it = topics_.find(channel);
  if (it == topics_.end() || it->second.generation != generation) return;
  auto waiting = std::move(it->second.waiting);
  it->second.waiting.clear();
  if (outcome.ok()) {
    it->second.confirmed = true;
    for (auto& done : waiting) done(Done{});
    return;
  }
  // The failed subscribe() calls do not count; nobody else is subscribed (all were waiting).
  it->second.count -= std::min(it->second.count, waiting.size());
  if (it->second.count == 0) {
    if (auto* subscriber = link_.subscriber()) subscriber->unsubscribe(channel, channelKind());
    topics_.erase(it);
  }
  for (auto& done : waiting) done(EngineError{"redis: subscribe failed: " + outcome.message, kRetryAfterMs});
}

void RedisBroker::unsubscribeOnLoop(const std::string& name) {
  const auto channel = link_.keys().key("b", name);
  auto it = topics_.find(channel);
  if (it == topics_.end()) return;
  if (--it->second.count > 0) return;
  // Subscribes still waiting here were unsubscribed before Redis confirmed them.
  auto waiting = std::move(it->second.waiting);
  topics_.erase(it);
  if (auto* subscriber = link_.subscriber()) subscriber->unsubscribe(channel, channelKind());
  for (auto& done : waiting) done(EngineError{"redis: unsubscribed before the subscription was confirmed", kRetryAfterMs});
}

void RedisBroker::onMessage(const RedisSubscriber::Message& message) {
  // Redis may still send a channel's messages after its UNSUBSCRIBE: they are no one's.
  auto it = topics_.find(message.channel);
  if (it == topics_.end()) return;
  deliver(it->second.name, message.payload);
}

void RedisBroker::deliver(const std::string& topic, const std::string& payload) {
  auto decoded = BrokerEnvelope::decode(payload);
  if (auto* error = std::get_if<std::string>(&decoded)) {
    malformed_.fetch_add(1, std::memory_order_relaxed);
    spdlog::debug("redis broker: dropped a malformed payload on {}: {}", topic, *error);
    return;
  }
  auto& envelope = std::get<BrokerEnvelope>(decoded);
  received_.fetch_add(1, std::memory_order_relaxed);
  if (envelope.kind == BrokerEnvelope::Kind::Frame) {
    handlers_.deliver(topic, std::make_shared<const std::string>(std::move(envelope.frame)));
    return;
  }
  handlers_.deliverStored(topic, envelope.message, envelope.epoch);
}

void RedisBroker::onResubscribed() {
  for (const auto& handler : resyncHandlers_) handler();
}

RedisBroker::Counters RedisBroker::counters() const {
  return {published_.load(std::memory_order_relaxed), publishFailures_.load(std::memory_order_relaxed),
          received_.load(std::memory_order_relaxed), malformed_.load(std::memory_order_relaxed)};
}

}  // namespace onair::engine::redis
