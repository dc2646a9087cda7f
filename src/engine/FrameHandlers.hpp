#pragma once
// The handlers a Broker calls, frames (Broker::setHandler, Broker::setTopicHandler) and stored
// messages (Broker::setStoredHandler, Broker::setStoredTopicHandler): topics under a prefix given
// for a prefix go to that handler, every other topic to the default one.
// Set before the first publish or subscribe; read-only afterwards.
#include <string>
#include <utility>
#include <vector>

#include "engine/Broker.hpp"

namespace onair::engine {

class FrameHandlers {
 public:
  void setDefault(Broker::Handler handler) { default_ = std::move(handler); }
  void setForPrefix(std::string prefix, Broker::Handler handler) { byPrefix_.emplace_back(std::move(prefix), std::move(handler)); }

  void deliver(const std::string& topic, const Broker::Payload& payload) const {
    for (const auto& [prefix, handler] : byPrefix_) {
      if (topic.compare(0, prefix.size(), prefix) == 0) return handler(topic, payload);
    }
    if (default_) default_(topic, payload);
  }

  void setStoredDefault(Broker::StoredHandler handler) { storedDefault_ = std::move(handler); }
  void setStoredForPrefix(std::string prefix, Broker::StoredHandler handler) {
    storedByPrefix_.emplace_back(std::move(prefix), std::move(handler));
  }

  void deliverStored(const std::string& topic, const StreamMessage& message, const std::string& epoch) const {
    for (const auto& [prefix, handler] : storedByPrefix_) {
      if (topic.compare(0, prefix.size(), prefix) == 0) return handler(topic, message, epoch);
    }
    if (storedDefault_) storedDefault_(topic, message, epoch);
  }

 private:
  Broker::Handler default_;
  std::vector<std::pair<std::string, Broker::Handler>> byPrefix_;
  Broker::StoredHandler storedDefault_;
  std::vector<std::pair<std::string, Broker::StoredHandler>> storedByPrefix_;
};

}  // namespace onair::engine
