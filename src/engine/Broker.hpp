#pragma once
// Broker: carries encoded events for a topic to every node (DESIGN.md §4).
//
// Contract: events published for one topic from one node reach every node's handler in publish
// order. The embedded broker calls the handler at once, on the publishing thread.
#include <functional>
#include <memory>
#include <string>

namespace onair::engine {

class Broker {
 public:
  using Payload = std::shared_ptr<const std::string>;
  using Handler = std::function<void(const std::string& topic, const Payload& payload)>;
  virtual ~Broker() = default;
  // Set once, before the first publish.
  virtual void setHandler(Handler handler) = 0;
  virtual void publish(const std::string& topic, Payload payload) = 0;
};

}  // namespace onair::engine
