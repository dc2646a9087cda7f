// fanout_ceiling: the machine's limit for the fan-out benchmark (bench/fanout/run.sh).
//
// The least work a WebSocket fan-out server can do: one thread, raw epoll, no JSON, no auth.
// It answers the HTTP upgrade, takes the first connection whose first text frame starts with
// 'P' as the publisher, and for each later frame from it builds ONE server frame (header +
// unmasked payload, same opcode: text stays text, binary stays binary, so the portal-relay
// benchmark's binary chunks go out as they came in) appended to a shared log. Every
// subscriber has a cursor into that log; once per loop pass each subscriber that is behind and
// writable gets one writev of everything it has not yet been sent (up to IOV_MAX frames).
// Frames every cursor has passed are dropped.
//
//   fanout_ceiling [--port P]      (0 = any; prints "listening on 127.0.0.1:PORT")
//
// Runs until SIGTERM/SIGINT.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <ctime>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "../common/BenchKit.hpp"

namespace {

enum class Role { handshake, idle, subscriber, publisher };

struct Conn {
  int fd = -1;
  Role role = Role::handshake;
  std::string in;          // bytes read and not yet parsed (request head, client frames)
  std::string out;         // handshake response / control replies not yet written
  bool writable = true;    // false after EAGAIN or a short write, until EPOLLOUT
  uint64_t seq = 0;        // subscriber: next log frame to send
  size_t offset = 0;       // subscriber: bytes of that frame already sent
  size_t sub_index = 0;    // position in `subs`
};

std::vector<Conn*> g_by_fd;
std::vector<Conn*> g_subs;
Conn* g_publisher = nullptr;
std::deque<std::string> g_log;  // encoded server frames; g_log[0] has sequence g_base
uint64_t g_base = 0;

// Where the time goes, printed to stderr at exit: writev calls, passes that wrote, time in them.
uint64_t g_writevs = 0, g_write_passes = 0, g_write_ns = 0, g_frames_in = 0, g_bytes_out = 0;

uint64_t log_end() { return g_base + g_log.size(); }

void close_conn(Conn* c) {
  if (c->role == Role::subscriber) {
    Conn* last = g_subs.back();
    g_subs[c->sub_index] = last;
    last->sub_index = c->sub_index;
    g_subs.pop_back();
  }
  if (c == g_publisher) g_publisher = nullptr;
  ::close(c->fd);
  g_by_fd[size_t(c->fd)] = nullptr;
  delete c;
}

// Writes c->out (handshake and control replies); returns false when the connection failed.
bool flush_out(Conn* c) {
  while (!c->out.empty()) {
    ssize_t w = ::send(c->fd, c->out.data(), c->out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w > 0) { c->out.erase(0, size_t(w)); continue; }
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && errno == EAGAIN) { c->writable = false; return true; }
    return false;
  }
  return true;
}

// The upgrade request: wait for the whole head, answer 101 with the accept key.
bool on_handshake(Conn* c) {
  size_t end = c->in.find("\r\n\r\n");
  if (end == std::string::npos) return c->in.size() < 16384;
  std::string response = benchkit::upgradeResponse(std::string_view(c->in.data(), end));
  if (response.empty()) return false;
  c->out += response;
  c->in.erase(0, end + 4);
  // A subscriber from now on, until it says it is the publisher; it starts at the log's end.
  c->role = Role::subscriber;
  c->seq = log_end();
  c->offset = 0;
  c->sub_index = g_subs.size();
  g_subs.push_back(c);
  return flush_out(c);
}

// Client frames (masked, RFC 6455 §5.2). Returns false to close the connection.
bool on_frames(Conn* c) {
  size_t at = 0;
  benchkit::ClientFrame frame;
  for (;;) {
    auto got = benchkit::takeClientFrame(c->in, at, frame);
    if (got == benchkit::FrameResult::NeedMore) break;
    if (got == benchkit::FrameResult::Bad) return false;
    const uint8_t opcode = frame.opcode;
    const char* p = frame.payload.data();
    const size_t len = frame.payload.size();

    if (opcode == 8) return false;  // close
    if (opcode == 9) {              // ping → pong
      benchkit::appendServerFrame(c->out, 10, std::string_view(p, len));
      if (!flush_out(c)) return false;
      continue;
    }
    if (opcode != 1 && opcode != 2) continue;
    if (c->role == Role::publisher) {
      // The one encode of this message; every subscriber is sent these same bytes.
      g_log.emplace_back();
      benchkit::appendServerFrame(g_log.back(), opcode, std::string_view(p, len));
      ++g_frames_in;
      continue;
    }
    if (c->role == Role::subscriber && !g_publisher && opcode == 1 && len >= 1 && p[0] == 'P') {
      // Leaves the subscriber list and becomes the publisher.
      Conn* last = g_subs.back();
      g_subs[c->sub_index] = last;
      last->sub_index = c->sub_index;
      g_subs.pop_back();
      c->role = Role::publisher;
      g_publisher = c;
    }
  }
  c->in.erase(0, at);
  return true;
}

// Reads everything available (edge-triggered); returns false to close.
bool on_readable(Conn* c, std::vector<char>& scratch) {
  for (;;) {
    ssize_t r = ::recv(c->fd, scratch.data(), scratch.size(), MSG_DONTWAIT);
    if (r > 0) {
      c->in.append(scratch.data(), size_t(r));
      if (size_t(r) < scratch.size()) break;
      continue;
    }
    if (r == 0) return false;
    if (errno == EINTR) continue;
    if (errno == EAGAIN) break;
    return false;
  }
  if (c->role == Role::handshake && !on_handshake(c)) return false;
  if (c->role != Role::handshake && !c->in.empty()) return on_frames(c);
  return true;
}

// One writev of everything a subscriber has not been sent. Returns false when it failed.
bool write_subscriber(Conn* c, std::vector<iovec>& iov) {
  if (!c->out.empty() && !flush_out(c)) return false;
  if (!c->out.empty()) return true;
  uint64_t end = log_end();
  if (c->seq >= end) return true;
  iov.clear();
  size_t total = 0;
  for (uint64_t s = c->seq; s < end && iov.size() < IOV_MAX; ++s) {
    const std::string& f = g_log[size_t(s - g_base)];
    size_t skip = s == c->seq ? c->offset : 0;
    iov.push_back({const_cast<char*>(f.data()) + skip, f.size() - skip});
    total += f.size() - skip;
  }
  ssize_t w = ::writev(c->fd, iov.data(), int(iov.size()));
  ++g_writevs;
  if (w > 0) g_bytes_out += uint64_t(w);
  if (w < 0) {
    if (errno == EAGAIN || errno == EINTR) { c->writable = false; return true; }
    return false;
  }
  // Advance the cursor past what the kernel took.
  size_t left = size_t(w);
  while (left > 0) {
    size_t frame_left = g_log[size_t(c->seq - g_base)].size() - c->offset;
    if (left >= frame_left) { left -= frame_left; ++c->seq; c->offset = 0; }
    else { c->offset += left; left = 0; }
  }
  if (size_t(w) < total) c->writable = false;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--port") == 0 && i + 1 < argc) port = std::atoi(argv[++i]);
    else { std::fprintf(stderr, "usage: fanout_ceiling [--port P]\n"); return 2; }
  }
  benchkit::catchStopSignals();
  benchkit::raiseFdLimit();
  int lfd = benchkit::listenLoopback(port, "fanout_ceiling");
  int one = 1;

  int ep = benchkit::epollWithListener(lfd);

  std::vector<epoll_event> evs(4096);
  std::vector<char> scratch(256 * 1024);
  std::vector<iovec> iov;
  iov.reserve(IOV_MAX);
  std::vector<Conn*> doomed;

  while (!benchkit::g_stop) {
    // Block only when no subscriber is waiting on us.
    bool work = false;
    for (Conn* s : g_subs)
      if (s->writable && (s->seq < log_end() || !s->out.empty())) { work = true; break; }
    int n = epoll_wait(ep, evs.data(), int(evs.size()), work ? 0 : 200);
    if (n < 0 && errno != EINTR) break;
    doomed.clear();
    for (int i = 0; i < n; ++i) {
      Conn* c = static_cast<Conn*>(evs[size_t(i)].data.ptr);
      if (!c) {
        for (;;) {
          int fd = ::accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (fd < 0) break;
          setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          if (size_t(fd) >= g_by_fd.size()) g_by_fd.resize(size_t(fd) * 2 + 1, nullptr);
          Conn* nc = new Conn;
          nc->fd = fd;
          g_by_fd[size_t(fd)] = nc;
          epoll_event ev{};
          ev.events = EPOLLIN | EPOLLOUT | EPOLLET | EPOLLRDHUP;
          ev.data.ptr = nc;
          epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
        }
        continue;
      }
      uint32_t e = evs[size_t(i)].events;
      if (e & EPOLLOUT) c->writable = true;
      if (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
        if (!on_readable(c, scratch) || (e & (EPOLLHUP | EPOLLERR))) doomed.push_back(c);
      }
    }
    for (Conn* c : doomed) close_conn(c);
    // One writev per writable subscriber that is behind.
    doomed.clear();
    timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    uint64_t writes_before = g_writevs;
    for (Conn* s : g_subs)
      if (s->writable && !write_subscriber(s, iov)) doomed.push_back(s);
    if (g_writevs != writes_before) {
      clock_gettime(CLOCK_MONOTONIC, &t1);
      g_write_ns += uint64_t((t1.tv_sec - t0.tv_sec) * 1'000'000'000LL + (t1.tv_nsec - t0.tv_nsec));
      ++g_write_passes;
    }
    for (Conn* c : doomed) close_conn(c);
    // Drop the frames every subscriber has been sent.
    uint64_t low = log_end();
    for (Conn* s : g_subs) low = std::min(low, s->seq);
    while (g_base < low) { g_log.pop_front(); ++g_base; }
  }
  ::close(lfd);
  std::fprintf(stderr,
               "fanout_ceiling: frames in %llu, writev %llu (%.1f µs each), passes that wrote %llu, bytes out %llu\n",
               (unsigned long long)g_frames_in, (unsigned long long)g_writevs,
               g_writevs ? double(g_write_ns) / 1e3 / double(g_writevs) : 0.0, (unsigned long long)g_write_passes,
               (unsigned long long)g_bytes_out);
  return 0;
}
