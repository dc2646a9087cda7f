#include "net/WsPoller.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <unistd.h>

#include "net/EventLoop.hpp"
#include "net/WsConnection.hpp"

namespace onair::net {
namespace {

int makeEpoll() {
  int fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) throw std::runtime_error(std::string("epoll_create1: ") + std::strerror(errno));
  return fd;
}

}  // namespace

WsPoller::WsPoller(boost::asio::io_context& io, EventLoop& loop) : loop_(loop), epfd_(makeEpoll()), watch_(io, epfd_) {}

// watch_ owns epfd_ and closes it.
WsPoller::~WsPoller() = default;

uint64_t WsPoller::add(int fd, WsConnection* connection) {
  uint32_t index;
  if (!freeSlots_.empty()) {
    index = freeSlots_.back();
    freeSlots_.pop_back();
  } else {
    index = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& slot = slots_[index];
  slot.connection = connection;
  const uint64_t token = (uint64_t{slot.generation} << 32) | index;
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.u64 = token;
  if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    spdlog::warn("ws poller: epoll_ctl(ADD) failed: {}", std::strerror(errno));
    slot.connection = nullptr;
    freeSlots_.push_back(index);
    return 0;
  }
  arm();
  return token;
}

void WsPoller::remove(int fd, uint64_t token) {
  const uint32_t index = static_cast<uint32_t>(token);
  if (token == 0 || index >= slots_.size() || slots_[index].generation != static_cast<uint32_t>(token >> 32)) return;
  ::epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);
  Slot& slot = slots_[index];
  slot.connection = nullptr;
  ++slot.generation;  // events fetched but not yet handled for this slot are dropped
  freeSlots_.push_back(index);
}

void WsPoller::arm() {
  if (armed_) return;
  armed_ = true;
  watch_.async_wait(boost::asio::posix::stream_descriptor::wait_read, [this](const boost::system::error_code& ec) {
    armed_ = false;
    if (ec) return;  // the loop is shutting down
    dispatch();
  });
}

// Handles what is ready: passes while the loop is busy (a pass found at least kBusyPass
// sockets), at most kMaxPasses per turn so timers and posted tasks still run (then the next check
// is posted: a posted check costs one epoll_wait, re-arming asio's wait would add an epoll_ctl).
// A pass that found few goes back to asio's reactor at once: re-arming its wait (an epoll_ctl
// MOD) reports anything that arrived meanwhile, and a quiet loop saves an empty epoll_wait per
// wake. A full batch also goes back to asio first.
void WsPoller::dispatch() {
  constexpr int kMaxPasses = 4;
  constexpr int kBusyPass = 8;
  for (int i = 0; i < kMaxPasses; ++i) {
    int n = pass();
    if (n < kBusyPass) return arm();
    if (static_cast<size_t>(n) == events_.size()) break;
  }
  armed_ = true;  // a check is pending: add() need not arm
  boost::asio::post(watch_.get_executor(), [this] {
    armed_ = false;
    dispatch();
  });
}

// One epoll_wait's worth of ready sockets; the replies they produced leave at its end, together
// (the cork), without a posted flush. Returns what epoll_wait returned.
int WsPoller::pass() {
  int n = ::epoll_wait(epfd_, events_.data(), static_cast<int>(events_.size()), 0);
  if (n <= 0) return n;
  loop_.holdFlushes();
  struct Release {
    EventLoop& loop;
    ~Release() { loop.releaseFlushes(); }  // also if a handler throws: flushes never stay held
  } release{loop_};
  for (int i = 0; i < n; ++i) {
    const uint64_t token = events_[static_cast<size_t>(i)].data.u64;
    const uint32_t index = static_cast<uint32_t>(token);
    if (index >= slots_.size()) continue;
    Slot& slot = slots_[index];
    if (!slot.connection || slot.generation != static_cast<uint32_t>(token >> 32)) continue;
    // The handler may finish the connection: hold it until the handler returns.
    auto connection = slot.connection->shared_from_this();
    connection->onPoll(events_[static_cast<size_t>(i)].events);
  }
  return n;
}

}  // namespace onair::net
