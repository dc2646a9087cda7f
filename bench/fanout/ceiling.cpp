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
#include <csignal>
#include <ctime>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace {

volatile std::sig_atomic_t g_stop = 0;

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

std::string ws_accept_for(std::string_view key) {
  std::string in(key);
  in += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(in.data()), in.size(), digest);
  unsigned char b64[64];
  int n = EVP_EncodeBlock(b64, digest, SHA_DIGEST_LENGTH);
  return std::string(reinterpret_cast<char*>(b64), size_t(n));
}

// One unmasked server frame (FIN set) around payload.
std::string server_frame(uint8_t opcode, const char* p, size_t n) {
  std::string f;
  f.reserve(n + 10);
  f.push_back(char(0x80 | opcode));
  if (n < 126) {
    f.push_back(char(n));
  } else if (n < 65536) {
    f.push_back(char(126));
    f.push_back(char(n >> 8));
    f.push_back(char(n));
  } else {
    f.push_back(char(127));
    for (int i = 7; i >= 0; --i) f.push_back(char(uint64_t(n) >> (8 * i)));
  }
  f.append(p, n);
  return f;
}

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
  std::string_view head(c->in.data(), end);
  std::string key;
  for (size_t at = 0; at < head.size();) {
    size_t eol = head.find("\r\n", at);
    if (eol == std::string_view::npos) eol = head.size();
    std::string_view line = head.substr(at, eol - at);
    at = eol + 2;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name(line.substr(0, colon));
    for (char& ch : name) ch = char(std::tolower(uint8_t(ch)));
    if (name != "sec-websocket-key") continue;
    std::string_view v = line.substr(colon + 1);
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
    key = std::string(v);
  }
  if (key.empty()) return false;
  c->out += "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
            ws_accept_for(key) + "\r\n\r\n";
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
  const std::string& in = c->in;
  while (in.size() - at >= 2) {
    const uint8_t* h = reinterpret_cast<const uint8_t*>(in.data() + at);
    uint8_t opcode = h[0] & 0x0f;
    bool masked = h[1] & 0x80;
    uint64_t len = h[1] & 0x7f;
    size_t hl = 2;
    if (len == 126) {
      if (in.size() - at < 4) break;
      len = (uint64_t(h[2]) << 8) | h[3];
      hl = 4;
    } else if (len == 127) {
      if (in.size() - at < 10) break;
      len = 0;
      for (int i = 0; i < 8; ++i) len = (len << 8) | h[2 + i];
      hl = 10;
    }
    if (!masked || len > (1u << 20)) return false;
    if (in.size() - at < hl + 4 + len) break;
    uint8_t key[4];
    std::memcpy(key, h + hl, 4);
    char* p = const_cast<char*>(in.data()) + at + hl + 4;
    for (uint64_t i = 0; i < len; ++i) p[i] = char(p[i] ^ key[i & 3]);
    at += hl + 4 + len;

    if (opcode == 8) return false;  // close
    if (opcode == 9) {              // ping → pong
      c->out += server_frame(10, p, len);
      if (!flush_out(c)) return false;
      continue;
    }
    if (opcode != 1 && opcode != 2) continue;
    if (c->role == Role::publisher) {
      // The one encode of this message; every subscriber is sent these same bytes.
      g_log.push_back(server_frame(opcode, p, len));
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
  std::signal(SIGTERM, [](int) { g_stop = 1; });
  std::signal(SIGINT, [](int) { g_stop = 1; });
  std::signal(SIGPIPE, SIG_IGN);
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < rl.rlim_max) { rl.rlim_cur = rl.rlim_max; setrlimit(RLIMIT_NOFILE, &rl); }

  int lfd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(uint16_t(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 || ::listen(lfd, 4096) < 0) {
    std::fprintf(stderr, "fanout_ceiling: listen on port %d: %s\n", port, std::strerror(errno));
    return 1;
  }
  socklen_t alen = sizeof addr;
  getsockname(lfd, reinterpret_cast<sockaddr*>(&addr), &alen);
  std::printf("listening on 127.0.0.1:%d\n", ntohs(addr.sin_port));
  std::fflush(stdout);

  int ep = epoll_create1(EPOLL_CLOEXEC);
  epoll_event lev{};
  lev.events = EPOLLIN;
  lev.data.ptr = nullptr;
  epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev);

  std::vector<epoll_event> evs(4096);
  std::vector<char> scratch(256 * 1024);
  std::vector<iovec> iov;
  iov.reserve(IOV_MAX);
  std::vector<Conn*> doomed;

  while (!g_stop) {
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
