#pragma once
// The embedded broker: one node, so publishing is calling the handler, and every topic is always
// subscribed (see engine/Broker.hpp). Stored messages come from AnnouncingHistory.
#include "engine/Broker.hpp"
#include "engine/FrameHandlers.hpp"

namespace onair::engine::memory {

class MemoryBroker final : public Broker {
 public:
  void setHandler(Handler handler) override { handlers_.setDefault(std::move(handler)); }
  void setTopicHandler(std::string prefix, Handler handler) override { handlers_.setForPrefix(std::move(prefix), std::move(handler)); }
  void setStoredHandler(StoredHandler handler) override { handlers_.setStoredDefault(std::move(handler)); }
  void setStoredTopicHandler(std::string prefix, StoredHandler handler) override {
    handlers_.setStoredForPrefix(std::move(prefix), std::move(handler));
  }
  void addResyncHandler(ResyncHandler) override {}  // one node: nothing is ever missed

  void publish(const std::string& topic, Payload payload) override {
    handlers_.deliver(topic, payload);
  }
  void subscribe(const std::string&, std::function<void(Outcome<Done>)> done) override { done(Done{}); }
  void unsubscribe(const std::string&) override {}

  // Hands a stored message to the stored handler (called by AnnouncingHistory, in offset order).
  void announce(const std::string& topic, const StreamMessage& message, const std::string& epoch) {
    handlers_.deliverStored(topic, message, epoch);
  }

 private:
  FrameHandlers handlers_;
};

}  // namespace onair::engine::memory
