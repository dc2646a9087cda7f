// live_churn_ceiling: the machine's limit for the slot churn benchmark (bench/live_churn/run.sh).
//
// The least work a server can do for live_churn_client's load: one thread, raw epoll with
// edge-triggered registrations made once per connection, no JSON parser, no state. It answers
// the WebSocket upgrade, and every text frame with a canned reply of onair's shape and size
// (found by string search: the request's "id" and "op"):
//   connect, live.publish, live.release → {"id":N,"result":{"ok":true}}
//   live.attach    → {"id":N,"result":{"attachId":…,"liveId":…,"transport":…,"expiresAt":…}}
//   live.heartbeat → {"id":N,"result":{"ok":true,"expiresAt":…}}
// Replies are corked like onair's: each connection with replies gets one send per epoll pass.
// So a run against it measures what the kernel, the loopback path and the client cost at this
// load, which onair cannot go below.
//
//   live_churn_ceiling [--port P] [--work-ns N]
//     --port     0 = any; prints "listening on 127.0.0.1:PORT"
//     --work-ns  spin N ns per request (default 0): a stand-in for a server's own work, to find
//                how much of it per operation the p99 target leaves room for on this machine
//
// Runs until SIGTERM/SIGINT; prints its counters on stderr at exit.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "../common/BenchKit.hpp"

namespace {

struct Conn {
  int fd = -1;
  bool upgraded = false;
  bool writable = true;  // false after EAGAIN, until EPOLLOUT
  bool dirty = false;    // has replies for this pass's flush
  std::string in;
  std::string out;
};

uint64_t g_requests = 0, g_sends = 0, g_attaches = 0;
long g_work_ns = 0;

// Burns g_work_ns of this core, as a server's own work per request would.
void spinWork() {
  if (g_work_ns <= 0) return;
  auto until = std::chrono::steady_clock::now() + std::chrono::nanoseconds(g_work_ns);
  while (std::chrono::steady_clock::now() < until) {
  }
}

// The value of "key": in a request: the digits of an id, or the text of a string.
std::string_view field(std::string_view msg, std::string_view key) {
  size_t at = msg.find(key);
  if (at == std::string_view::npos) return {};
  at += key.size();
  if (at < msg.size() && msg[at] == '"') {
    size_t end = msg.find('"', at + 1);
    return end == std::string_view::npos ? std::string_view{} : msg.substr(at + 1, end - at - 1);
  }
  size_t end = at;
  while (end < msg.size() && msg[end] >= '0' && msg[end] <= '9') ++end;
  return msg.substr(at, end - at);
}

// One canned reply per request, as onair would shape it.
void answer(Conn& c, std::string_view request) {
  std::string_view id = field(request, R"("id":)");
  std::string_view op = field(request, R"("op":)");
  if (id.empty()) id = "null";
  std::string reply;
  reply.reserve(192);
  reply += R"({"id":)";
  reply += id;
  if (op == "live.attach") {
    char attachId[48];
    std::snprintf(attachId, sizeof attachId, "at_%012llx.Y29udGVudDpiMA", static_cast<unsigned long long>(++g_attaches));
    reply += R"(,"result":{"attachId":")";
    reply += attachId;
    reply += R"(","liveId":"content:b0","transport":{"kind":"portal-relay"},"expiresAt":"2026-11-22T12:00:00.000Z"}})";
  } else if (op == "live.heartbeat") {
    reply += R"(,"result":{"ok":true,"expiresAt":"2026-11-22T12:00:00.000Z"}})";
  } else {
    reply += R"(,"result":{"ok":true}})";
  }
  benchkit::appendServerFrame(c.out, 0x1, reply);
  spinWork();
  ++g_requests;
}

// Whole frames in c.in; returns false to close the connection.
bool onFrames(Conn& c) {
  size_t at = 0;
  benchkit::ClientFrame frame;
  for (;;) {
    auto got = benchkit::takeClientFrame(c.in, at, frame);
    if (got == benchkit::FrameResult::NeedMore) break;
    if (got == benchkit::FrameResult::Bad || frame.opcode == 0x8) return false;
    if (frame.opcode == 0x9) benchkit::appendServerFrame(c.out, 0xA, frame.payload);
    if (frame.opcode == 0x1) answer(c, frame.payload);
  }
  c.in.erase(0, at);
  return true;
}

// Reads what arrived (edge-triggered: until a short read); returns false to close.
bool onReadable(Conn& c, std::array<char, 65536>& scratch) {
  for (;;) {
    auto r = benchkit::readInto(c.fd, c.in, scratch);
    if (r == benchkit::ReadResult::Closed) return false;
    if (r == benchkit::ReadResult::Drained) break;
  }
  if (!c.upgraded) {
    size_t end = c.in.find("\r\n\r\n");
    if (end == std::string::npos) return c.in.size() < 16384;
    std::string response = benchkit::upgradeResponse(std::string_view(c.in.data(), end));
    if (response.empty()) return false;
    c.out += response;
    c.in.erase(0, end + 4);
    c.upgraded = true;
  }
  return onFrames(c);
}

// One send of everything queued; returns false when the connection failed.
bool flush(Conn& c) {
  while (!c.out.empty() && c.writable) {
    ssize_t w = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    ++g_sends;
    if (w > 0) {
      c.out.erase(0, static_cast<size_t>(w));
      continue;
    }
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && errno == EAGAIN) {
      c.writable = false;
      return true;
    }
    return false;
  }
  return true;
}

void acceptAll(int lfd, int ep) {
  for (;;) {
    int fd = ::accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto* c = new Conn;
    c->fd = fd;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLET | EPOLLRDHUP;
    ev.data.ptr = c;
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  }
}

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
      port = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--work-ns") == 0 && i + 1 < argc) {
      g_work_ns = std::atol(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: live_churn_ceiling [--port P] [--work-ns N]\n");
      return 2;
    }
  }
  benchkit::catchStopSignals();
  benchkit::raiseFdLimit();
  int lfd = benchkit::listenLoopback(port, "live_churn_ceiling");
  int ep = benchkit::epollWithListener(lfd);

  std::vector<epoll_event> events(1024);
  std::array<char, 65536> scratch;
  std::vector<Conn*> dirty;
  while (!benchkit::g_stop) {
    int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), 200);
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < n; ++i) {
      auto* c = static_cast<Conn*>(events[static_cast<size_t>(i)].data.ptr);
      if (!c) {
        acceptAll(lfd, ep);
        continue;
      }
      uint32_t e = events[static_cast<size_t>(i)].events;
      if (e & EPOLLOUT) c->writable = true;
      bool alive = !(e & (EPOLLHUP | EPOLLERR));
      if (alive && (e & (EPOLLIN | EPOLLRDHUP))) alive = onReadable(*c, scratch);
      if (!alive) {
        // Closed now; a pointer already in `dirty` is skipped by its fd.
        ::close(c->fd);
        c->fd = -1;
        if (!c->dirty) delete c;
        continue;
      }
      if (!c->out.empty() && !c->dirty) {
        c->dirty = true;
        dirty.push_back(c);
      }
    }
    // The cork: one send per connection with replies, after the whole pass was read.
    for (Conn* c : dirty) {
      c->dirty = false;
      if (c->fd < 0) {
        delete c;
        continue;
      }
      if (!flush(*c)) {
        ::close(c->fd);
        delete c;
      }
    }
    dirty.clear();
  }
  ::close(lfd);
  std::fprintf(stderr, "live_churn_ceiling: requests %llu, sends %llu\n", static_cast<unsigned long long>(g_requests),
               static_cast<unsigned long long>(g_sends));
  return 0;
}
