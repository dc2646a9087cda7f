#pragma once
// The socket side shared by the epoll WebSocket load clients in bench/ (live_churn, stage):
// non-blocking connects (from 127.0.0.x source addresses when asked), the HTTP upgrade,
// client-masked frames written corked (every frame queued during a poll leaves in one send per
// connection afterwards), reads through one scratch buffer. Header-only; bench code only.
//
// What a client does with the frames is its own. It derives from WsClientCore<Client, Conn>
// (CRTP: no virtual call on the hot path), its Conn derives from WsConn, and it provides:
//   std::string connectFrame(Conn& c)        the first message after the upgrade (the connect op)
//   bool onFrames(Conn& c, uint64_t now)     parse c.in once a read is drained (states from
//                                            Authenticating on); false closes the connection
//   bool onReadChunk(Conn& c, uint64_t now)  optional: after each full scratch-sized read of a
//                                            connection in those states (keeps c.in small)
//   uint32_t sourceAddress(size_t slot)      optional: the IPv4 source (host order) for conns[slot],
//                                            0 = the kernel's choice
// and sets `host` and `port` before the first startConnect.
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "BenchKit.hpp"

namespace benchkit {

enum class ConnState : uint8_t { Idle, Connecting, Upgrading, Authenticating, Opening, Ready, Dead };

struct WsConn {
  int fd = -1;
  ConnState state = ConnState::Idle;
  bool dirty = false;    // `out` grew since the last flush
  bool wantOut = false;  // EPOLLOUT armed
  std::string wsKey;     // Sec-WebSocket-Key of the upgrade
  std::string in;        // unparsed bytes from the server
  std::string out;       // bytes not yet written
  std::string frag;      // a fragmented message being reassembled (readMessages)
};

// The header of a server frame (RFC 6455 §5.2) at the start of `in`; nullopt until it is whole.
struct ServerFrameHeader {
  bool fin = false;
  uint8_t opcode = 0;
  bool masked = false;  // servers must not mask: the clients refuse such frames
  uint64_t length = 0;  // payload bytes
  size_t size = 0;      // header bytes
};

inline std::optional<ServerFrameHeader> readServerFrameHeader(std::string_view in) {
  if (in.size() < 2) return std::nullopt;
  const auto b0 = static_cast<uint8_t>(in[0]), b1 = static_cast<uint8_t>(in[1]);
  ServerFrameHeader h{(b0 & 0x80) != 0, static_cast<uint8_t>(b0 & 0x0f), (b1 & 0x80) != 0, b1 & 0x7fu, 2};
  if (h.length == 126) {
    if (in.size() < 4) return std::nullopt;
    h.length = (uint64_t{static_cast<uint8_t>(in[2])} << 8) | static_cast<uint8_t>(in[3]);
    h.size = 4;
  } else if (h.length == 127) {
    if (in.size() < 10) return std::nullopt;
    h.length = 0;
    for (int k = 0; k < 8; ++k) h.length = (h.length << 8) | static_cast<uint8_t>(in[2 + static_cast<size_t>(k)]);
    h.size = 10;
  }
  if (h.masked) h.size += 4;
  return h;
}

template <class Client, class Conn>
class WsClientCore {
 public:
  std::string host = "127.0.0.1";
  int port = 0;
  int ep = epoll_create1(EPOLL_CLOEXEC);
  std::vector<Conn> conns;
  std::map<std::string, uint64_t> setupErrors;  // "what: detail" → count
  uint64_t closedReady = 0;                     // connections lost after they were ready

  explicit WsClientCore(const char* name) : name_(name) {
    if (ep < 0) fatal("epoll_create1 failed");
  }

  // A masked frame, queued; it leaves with the connection's next flush.
  void sendText(Conn& c, std::string_view payload, uint8_t opcode = 0x1) {
    appendMaskedFrame(c.out, payload, opcode, nextMask());
    markDirty(c);
  }

  void markDirty(Conn& c) {
    if (c.dirty) return;
    c.dirty = true;
    dirtyList_.push_back(&c);
  }

  void closeConn(Conn& c) {
    if (c.state == ConnState::Dead) return;
    if (c.state == ConnState::Ready) closedReady++;
    c.state = ConnState::Dead;
    if (c.fd < 0) return;
    epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
    ::close(c.fd);
    c.fd = -1;
  }

  // Starts a non-blocking connect for conns[slot]; a refusal is counted in setupErrors.
  void startConnect(Conn& c) {
    const size_t slot = static_cast<size_t>(&c - conns.data());
    c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) fatal("socket() failed (raise the open file limit?)");
    int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (uint32_t source = client().sourceAddress(slot)) {
      setsockopt(c.fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
      sockaddr_in src{};
      src.sin_family = AF_INET;
      src.sin_addr.s_addr = htonl(source);
      if (::bind(c.fd, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0) fatal("bind to a 127.0.0.x source address failed");
    }
    sockaddr_in dst{};
    dst.sin_family = AF_INET;
    dst.sin_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET, host.c_str(), &dst.sin_addr) != 1) fatal("--host must be an IPv4 address");
    if (::connect(c.fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) != 0 && errno != EINPROGRESS) {
      setupErrors[std::string("tcp connect: ") + std::strerror(errno)]++;
      ::close(c.fd);
      c.fd = -1;
      c.state = ConnState::Dead;
      return;
    }
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.u32 = static_cast<uint32_t>(slot);
    epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
    c.wantOut = true;
    c.state = ConnState::Connecting;
  }

  // Writes what every dirty connection has queued.
  void flushDirty() {
    for (Conn* c : dirtyList_) {
      c->dirty = false;
      flush(*c);
    }
    dirtyList_.clear();
  }

  // One epoll wait (timeoutUs 0 = a look without waiting) and what it reported.
  void pollOnce(int timeoutUs) {
    epoll_event evs[512];
    timespec ts{0, static_cast<long>(timeoutUs) * 1000};
    int n = epoll_pwait2(ep, evs, 512, &ts, nullptr);
    if (n < 0) {
      if (errno == EINTR) return;
      fatal("epoll_pwait2 failed");
    }
    const uint64_t now = nowNs();
    for (int i = 0; i < n; ++i) {
      Conn& c = conns[evs[i].data.u32];
      if (c.state == ConnState::Dead) continue;
      if (c.state == ConnState::Connecting) {
        if (evs[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) onConnected(c);
        continue;
      }
      if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) onReadable(c, now);
      if (c.state != ConnState::Dead && (evs[i].events & EPOLLOUT)) markDirty(c);
    }
  }

  // Takes the whole frames out of c.in: each message (fragments joined) goes to
  // onMessage(c, payload), pings are answered, a close frame goes to onClose(c, payload).
  // Returns false when the connection must close (a close frame, a masked frame, or
  // onMessage closed it).
  template <class OnMessage, class OnClose>
  bool readMessages(Conn& c, OnMessage&& onMessage, OnClose&& onClose) {
    size_t pos = 0;
    const std::string& in = c.in;
    while (auto h = readServerFrameHeader(std::string_view(in).substr(pos))) {
      if (h->masked) return false;
      if (in.size() - pos < h->size + h->length) break;
      std::string_view payload(in.data() + pos + h->size, h->length);
      pos += h->size + h->length;
      if (h->opcode == 0x0) {
        c.frag.append(payload);
        if (h->fin) {
          std::string whole;
          whole.swap(c.frag);
          onMessage(c, std::string_view(whole));
        }
      } else if (h->opcode == 0x1 || h->opcode == 0x2) {
        if (h->fin) onMessage(c, payload);
        else c.frag.assign(payload);
      } else if (h->opcode == 0x8) {
        onClose(c, payload);
        return false;
      } else if (h->opcode == 0x9) {
        sendText(c, payload, 0xA);  // pong
      }
      if (c.state == ConnState::Dead) return false;
    }
    c.in.erase(0, pos);
    return true;
  }

  // Defaults for the optional hooks.
  bool onReadChunk(Conn&, uint64_t) { return true; }
  uint32_t sourceAddress(size_t) { return 0; }

 private:
  Client& client() { return static_cast<Client&>(*this); }

  [[noreturn]] void fatal(const char* what) {
    std::fprintf(stderr, "%s: %s\n", name_, what);
    std::exit(1);
  }

  uint32_t nextMask() {
    maskState_ ^= maskState_ << 13;
    maskState_ ^= maskState_ >> 17;
    maskState_ ^= maskState_ << 5;
    return maskState_;
  }

  void arm(Conn& c, bool out) {
    epoll_event ev{};
    ev.events = out ? (EPOLLIN | EPOLLOUT) : static_cast<uint32_t>(EPOLLIN);
    ev.data.u32 = static_cast<uint32_t>(&c - conns.data());
    epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
    c.wantOut = out;
  }

  void onConnected(Conn& c) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      setupErrors[std::string("tcp connect: ") + std::strerror(err)]++;
      return closeConn(c);
    }
    unsigned char raw[16];
    RAND_bytes(raw, sizeof raw);
    c.wsKey = base64(raw, sizeof raw, false);
    c.out += "GET /v1/connect HTTP/1.1\r\nHost: " + host + ":" + std::to_string(port) +
             "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + c.wsKey +
             "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    c.state = ConnState::Upgrading;
    markDirty(c);
  }

  // The server's 101 with the right Sec-WebSocket-Accept, then the client's connect frame.
  void onUpgradeBytes(Conn& c) {
    auto end = c.in.find("\r\n\r\n");
    if (end == std::string::npos) return;
    std::string head = c.in.substr(0, end);
    c.in.erase(0, end + 4);
    std::string expect = c.wsKey + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    unsigned char sha[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(expect.data()), expect.size(), sha);
    if (head.rfind("HTTP/1.1 101", 0) != 0 || head.find(base64(sha, sizeof sha, false)) == std::string::npos) {
      setupErrors["upgrade: " + head.substr(0, head.find('\r'))]++;
      return closeConn(c);
    }
    c.state = ConnState::Authenticating;
    sendText(c, client().connectFrame(c));
  }

  static bool framing(const Conn& c) { return c.state >= ConnState::Authenticating && c.state != ConnState::Dead; }

  void onReadable(Conn& c, uint64_t now) {
    // Through one scratch buffer: a resize of c.in per read would memset 64 KiB per reply and
    // make the client the bottleneck.
    for (;;) {
      auto r = readInto(c.fd, c.in, readScratch_);
      if (r == ReadResult::Closed) return closeConn(c);
      if (r == ReadResult::Drained) break;
      if (framing(c) && !client().onReadChunk(c, now)) return closeConn(c);
    }
    if (c.state == ConnState::Upgrading) onUpgradeBytes(c);
    if (framing(c) && !client().onFrames(c, now)) closeConn(c);
  }

  void flush(Conn& c) {
    while (!c.out.empty() && c.state != ConnState::Dead) {
      ssize_t n = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        return closeConn(c);
      }
      c.out.erase(0, static_cast<size_t>(n));
    }
    if (c.state == ConnState::Dead || c.state == ConnState::Connecting) return;
    const bool need = !c.out.empty();
    if (need != c.wantOut) arm(c, need);
  }

  const char* name_;
  std::array<char, 65536> readScratch_;  // every connection reads through it
  std::vector<Conn*> dirtyList_;
  uint32_t maskState_ = 0x9e3779b9u;
};

}  // namespace benchkit
