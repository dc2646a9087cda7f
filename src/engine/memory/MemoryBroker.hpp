#pragma once
// The embedded broker: one node, so publishing is calling the handler (see engine/Broker.hpp).
#include "engine/Broker.hpp"

namespace onair::engine::memory {

class MemoryBroker final : public Broker {
 public:
  void setHandler(Handler handler) override { handler_ = std::move(handler); }
  void publish(const std::string& topic, Payload payload) override {
    if (handler_) handler_(topic, payload);
  }

 private:
  Handler handler_;
};

}  // namespace onair::engine::memory
