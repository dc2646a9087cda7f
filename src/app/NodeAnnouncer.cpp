#include "app/NodeAnnouncer.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <future>
#include <mutex>

namespace onair::app {

// Shared with the callbacks in flight, which may outlive the announcer.
struct NodeAnnouncer::State {
  engine::Engine& engine;
  rooms::RoomService& rooms;
  engine::NodeAnnouncement self;
  bool wasReady = true;  // loop thread only
  std::mutex mutex;      // orders announcements before the leave
  bool stopped = false;
  std::atomic<bool> announceFailing{false};
};

namespace {

// Completions may run synchronously (embedded), under the state's mutex: they take no lock.
void announce(const std::shared_ptr<NodeAnnouncer::State>& state, std::string statsJson) {
  std::lock_guard lock(state->mutex);
  if (state->stopped) return;
  state->self.statsJson = std::move(statsJson);
  state->engine.nodes().announce(state->self, [state](engine::Outcome<engine::Done> r) {
    const auto* error = std::get_if<engine::EngineError>(&r);
    bool wasFailing = state->announceFailing.exchange(error != nullptr);
    if (error && !wasFailing) spdlog::warn("cannot announce this node: {}", error->message);
  });
}

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

NodeAnnouncer::NodeAnnouncer(net::EventLoop& loop, engine::Engine& engine, rooms::RoomService& rooms, std::string address)
    : loop_(loop), state_(new State{engine, rooms, {std::move(address), nowMs(), "{}"}, engine.ready(), {}, false, {false}}) {}

NodeAnnouncer::~NodeAnnouncer() = default;

void NodeAnnouncer::start() {
  loop_.post([this] {
    timer_ = std::make_unique<boost::asio::steady_timer>(loop_.io());
    tick();
  });
}

void NodeAnnouncer::tick() {
  auto& engine = state_->engine;
  bool ready = engine.ready();
  if (ready != state_->wasReady) {
    if (ready) spdlog::info("engine {} is ready again", engine.name());
    else spdlog::warn("engine {} is not ready: requests that need it answer service_unavailable until it is", engine.name());
    state_->wasReady = ready;
  }
  state_->rooms.stats(
      [state = state_](api::Result result) {
        if (auto* value = std::get_if<boost::json::value>(&result)) announce(state, boost::json::serialize(*value));
      },
      rooms::RoomService::StatsScope::ThisNode);
  timer_->expires_after(std::chrono::milliseconds(engine.nodes().refreshIntervalMs()));
  timer_->async_wait([this](const boost::system::error_code& ec) {
    if (!ec && timer_) tick();
  });
}

void NodeAnnouncer::stop(std::chrono::milliseconds leaveTimeout) {
  std::promise<void> cancelled;
  loop_.post([this, &cancelled] {
    if (timer_) timer_->cancel();
    timer_.reset();
    cancelled.set_value();
  });
  cancelled.get_future().wait();
  auto left = std::make_shared<std::promise<void>>();
  {
    std::lock_guard lock(state_->mutex);
    if (state_->stopped) return;
    state_->stopped = true;
    state_->engine.nodes().leave([left](engine::Outcome<engine::Done>) { left->set_value(); });
  }
  if (left->get_future().wait_for(leaveTimeout) != std::future_status::ready) spdlog::debug("leaving the node list timed out");
}

}  // namespace onair::app
