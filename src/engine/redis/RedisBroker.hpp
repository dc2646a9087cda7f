#pragma once
// Broker on Redis pub/sub (see engine/Broker.hpp). STUB: being written.
#include "engine/Broker.hpp"
#include "engine/redis/RedisLink.hpp"

namespace onair::engine::redis {

class RedisBroker final : public Broker {
 public:
  explicit RedisBroker(RedisLink& link) : link_(link) {}
  void setHandler(Handler handler) override { handler_ = std::move(handler); }
  void setStoredHandler(StoredHandler handler) override { storedHandler_ = std::move(handler); }
  void setResyncHandler(ResyncHandler handler) override { resyncHandler_ = std::move(handler); }
  void publish(const std::string& topic, Payload payload) override;
  void subscribe(const std::string& topic, std::function<void(Outcome<Done>)> done) override;
  void unsubscribe(const std::string& topic) override;

  // From the engine's subscriber connection (loop thread).
  void onMessage(const RedisSubscriber::Message& message);
  void onResubscribed();

 private:
  Handler handler_;
  StoredHandler storedHandler_;
  ResyncHandler resyncHandler_;
  RedisLink& link_;
};

}  // namespace onair::engine::redis
