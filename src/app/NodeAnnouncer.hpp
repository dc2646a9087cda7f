#pragma once
// Keeps this node's record in engine::Nodes fresh: every nodes.refreshIntervalMs() (1 s) it asks
// RoomService for this node's totals and announces them with the node's address and start time,
// so the aggregated stats of any node are at most about a second old. It also logs when the
// engine becomes unready or ready again (a Redis outage and its end).
//
// Contract: start() and stop() are called from the main thread; the timer runs on `loop`
// (a shard's loop, started). stop() cancels the timer and then removes the node's record
// (Nodes::leave, waited for at most `leaveTimeout`); no announcement leaves after it, so a
// stopped node is not listed again. stop() must run before the loops stop.
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <string>

#include "engine/Engine.hpp"
#include "net/EventLoop.hpp"
#include "rooms/RoomService.hpp"

namespace onair::app {

class NodeAnnouncer {
 public:
  NodeAnnouncer(net::EventLoop& loop, engine::Engine& engine, rooms::RoomService& rooms, std::string address);
  ~NodeAnnouncer();

  void start();
  void stop(std::chrono::milliseconds leaveTimeout = std::chrono::milliseconds(1000));

  struct State;  // shared with callbacks in flight

 private:
  void tick();

  net::EventLoop& loop_;
  std::shared_ptr<State> state_;
  std::unique_ptr<boost::asio::steady_timer> timer_;  // loop thread only
};

}  // namespace onair::app
