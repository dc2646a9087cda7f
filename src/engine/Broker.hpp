#pragma once
// Broker: carries events for a topic to every node (DESIGN.md §4).
//
// Two kinds of delivery reach a node's handlers, both for topics the node subscribed to:
// - frames published with publish() (already encoded events: broadcasts, presence, metadata);
// - stored messages announced by their append (History, AppendRequest::announce), handed to the
//   stored handler with their offset and epoch, so a node can order, deduplicate and recover them.
//
// Contract:
// - Frames published for one topic from one node reach every subscribed node's handler in
//   publish order. Stored messages of one stream reach every subscribed node in offset order
//   (the store orders them, not the publishing node), each at most once per subscription.
// - subscribe() completes once deliveries for the topic reach this node; only then is a reader of
//   the topic's history sure to miss nothing that follows (read after subscribing). Subscriptions
//   are counted per topic: each subscribe() needs one unsubscribe().
// - When a node's connection to the others was lost and is back, events may have been missed:
//   the resync handler runs (on any thread), and stored messages can be read again from History.
// - The embedded broker (one node) calls the handlers at once, on the publishing thread, and is
//   always subscribed. Handlers may run on any thread: receivers post to their shard.
// - Set the handlers once, before the first subscribe or publish. Frames of topics under a prefix
//   given to setTopicHandler() go to that handler instead of the one given to setHandler(); each
//   addResyncHandler() adds a handler (all of them run).
#include <functional>
#include <memory>
#include <string>

#include "engine/EngineError.hpp"
#include "engine/StreamMessage.hpp"

namespace onair::engine {

class Broker {
 public:
  using Payload = std::shared_ptr<const std::string>;
  using Handler = std::function<void(const std::string& topic, const Payload& payload)>;
  using StoredHandler = std::function<void(const std::string& topic, const StreamMessage& message, const std::string& epoch)>;
  using ResyncHandler = std::function<void()>;
  virtual ~Broker() = default;

  virtual void setHandler(Handler handler) = 0;
  virtual void setStoredHandler(StoredHandler handler) = 0;
  virtual void setTopicHandler(std::string prefix, Handler handler) = 0;
  virtual void setStoredTopicHandler(std::string prefix, StoredHandler handler) = 0;
  virtual void addResyncHandler(ResyncHandler handler) = 0;

  virtual void publish(const std::string& topic, Payload payload) = 0;
  // Stored messages of a node's own appends reach it through the stored handler like any other
  // node's: callers that publish with announce do not deliver them themselves.
  virtual void subscribe(const std::string& topic, std::function<void(Outcome<Done>)> done) = 0;
  virtual void unsubscribe(const std::string& topic) = 0;
};

}  // namespace onair::engine
