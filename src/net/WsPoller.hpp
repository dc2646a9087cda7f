#pragma once
// Readiness of one loop's WebSocket sockets, kept out of asio's reactor.
//
// Why: asio re-arms a socket after every read, either with an epoll_ctl (async_wait) or with a
// speculative recv that finds nothing (async_receive) — one wasted syscall per request, ~10 % of
// a core at 100,000 requests/s (bench/live_churn). Here each socket is registered once,
// edge-triggered for input and output, in an epoll set of our own; asio watches that one epoll
// fd, so a loop turn costs one epoll_wait and one re-arm however many sockets were ready.
//
// Contract: single-threaded (the loop's thread). A connection removes itself before closing its
// fd; events already fetched for a removed connection are dropped (the token's generation no
// longer matches), so a handler may close other connections safely.
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <sys/epoll.h>

#include <array>
#include <cstdint>
#include <vector>

namespace onair::net {

class EventLoop;
class WsConnection;

class WsPoller {
 public:
  WsPoller(boost::asio::io_context& io, EventLoop& loop);
  ~WsPoller();
  WsPoller(const WsPoller&) = delete;
  WsPoller& operator=(const WsPoller&) = delete;

  // Watches `fd` for `connection` (edge-triggered: input, output, peer hang-up). Returns the
  // token that remove() takes; 0 when the kernel refused the registration.
  uint64_t add(int fd, WsConnection* connection);
  void remove(int fd, uint64_t token);

 private:
  struct Slot {
    WsConnection* connection = nullptr;
    uint32_t generation = 1;
  };
  void arm();
  void dispatch();
  int pass();

  EventLoop& loop_;
  int epfd_;
  boost::asio::posix::stream_descriptor watch_;  // epfd_, as asio's reactor sees it
  std::vector<Slot> slots_;
  std::vector<uint32_t> freeSlots_;
  std::array<epoll_event, 256> events_{};
  bool armed_ = false;
};

}  // namespace onair::net
