#pragma once
// Broker on Redis pub/sub (see engine/Broker.hpp). Topic T has the channel `<prefix>:b:{T}`
// (RedisKeys, same hash tag as the history keys of the stream T, whose append script publishes
// announced messages there). Every payload is a BrokerEnvelope: a frame from publish() or a
// stored message from RedisHistory's append script. On a Redis Cluster (RedisLink::cluster())
// the channel is a shard channel: SPUBLISH and SSUBSCRIBE, on the master serving its slot.
//
// Contract (beyond Broker's):
// - publish(), subscribe() and unsubscribe() may be called from any thread: they post onto the
//   engine's loop (RedisLink), where all state lives and every handler runs.
// - subscribe(): subscriptions are counted per topic. The first one SUBSCRIBEs on the engine's
//   subscriber connection and completes when Redis confirmed it; later ones complete with it, or
//   at once when it is confirmed already. While the subscriber is not connected, or when the
//   connection is lost (or stalls past the command timeout) before the confirmation, subscribe()
//   completes with an EngineError (and does not count). The last unsubscribe() UNSUBSCRIBEs;
//   from then on nothing more of the topic reaches the handlers, even if Redis still sends it.
// - Payloads that are no BrokerEnvelope are counted (malformed), logged at debug and dropped.
// - onResubscribed() (the subscriber reconnected and is subscribed again) runs the resync handlers.
#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/Broker.hpp"
#include "engine/FrameHandlers.hpp"
#include "engine/redis/RedisLink.hpp"
#include "engine/redis/RedisSubscriber.hpp"

namespace onair::engine::redis {

class RedisBroker final : public Broker {
 public:
  struct Counters {
    uint64_t published = 0;       // PUBLISH (SPUBLISH) commands answered by Redis
    uint64_t publishFailures = 0;  // PUBLISH commands that failed (Redis down, timeout)
    uint64_t received = 0;        // envelopes handed to a handler
    uint64_t malformed = 0;       // payloads dropped as not a BrokerEnvelope
  };

  explicit RedisBroker(RedisLink& link) : link_(link) {}
  void setHandler(Handler handler) override { handlers_.setDefault(std::move(handler)); }
  void setTopicHandler(std::string prefix, Handler handler) override { handlers_.setForPrefix(std::move(prefix), std::move(handler)); }
  void setStoredHandler(StoredHandler handler) override { handlers_.setStoredDefault(std::move(handler)); }
  void setStoredTopicHandler(std::string prefix, StoredHandler handler) override {
    handlers_.setStoredForPrefix(std::move(prefix), std::move(handler));
  }
  void addResyncHandler(ResyncHandler handler) override { resyncHandlers_.push_back(std::move(handler)); }
  void publish(const std::string& topic, Payload payload) override;
  void subscribe(const std::string& topic, std::function<void(Outcome<Done>)> done) override;
  void unsubscribe(const std::string& topic) override;

  // From the engine's subscriber connection (loop thread).
  void onMessage(const RedisSubscriber::Message& message);
  void onResubscribed();

  // Any thread.
  Counters counters() const;

 private:
  using Completion = std::function<void(Outcome<Done>)>;
  // One subscribed topic (loop thread only).
  struct Topic {
    std::string name;
    size_t count = 0;                 // subscribe() calls not yet unsubscribed (or failed)
    bool confirmed = false;           // Redis confirmed the SUBSCRIBE
    uint64_t generation = 0;          // tells a late confirmation of an earlier SUBSCRIBE apart
    std::vector<Completion> waiting;  // subscribe() calls waiting for the confirmation
  };

  void subscribeOnLoop(const std::string& topic, Completion done);
  void unsubscribeOnLoop(const std::string& topic);
  void onConfirmed(const std::string& channel, uint64_t generation, const RedisOutcome& outcome);
  void deliver(const std::string& topic, const std::string& payload);
  const char* publishVerb() const;
  RedisPubSub::Kind channelKind() const;

  FrameHandlers handlers_;
  std::vector<ResyncHandler> resyncHandlers_;
  RedisLink& link_;
  std::map<std::string, Topic> topics_;  // by channel
  uint64_t nextGeneration_ = 1;
  std::atomic<uint64_t> published_{0};
  std::atomic<uint64_t> publishFailures_{0};
  std::atomic<uint64_t> received_{0};
  std::atomic<uint64_t> malformed_{0};
};

}  // namespace onair::engine::redis
