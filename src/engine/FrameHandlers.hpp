#pragma once
// The frame handlers a Broker calls (Broker::setHandler, Broker::setTopicHandler): topics under a
// prefix given to setTopicHandler go to that handler, every other topic to the default one.
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

 private:
  Broker::Handler default_;
  std::vector<std::pair<std::string, Broker::Handler>> byPrefix_;
};

}  // namespace onair::engine
