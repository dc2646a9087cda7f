#pragma once
// Small pieces every epoll load client and ceiling server in bench/ needs: clocks, CPU
// accounting, base64url, HS256 tokens, client-masked and server WebSocket frames, the server side
// of the upgrade. Header-only; bench code only.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>

namespace benchkit {

inline uint64_t nowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// CPU seconds (user + system) of this process.
inline double cpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

struct CpuSplit {
  double user = 0, system = 0;  // seconds
};

// utime and stime of another process, in seconds (zeros when unreadable).
inline CpuSplit processCpuSplit(int pid) {
  if (pid <= 0) return {};
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
  FILE* f = std::fopen(path, "r");
  if (!f) return {};
  char buf[1024];
  size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = 0;
  const char* p = std::strrchr(buf, ')');  // the command name may hold spaces
  if (!p) return {};
  unsigned long long utime = 0, stime = 0;
  // fields after ")": state(3) … utime(14) stime(15)
  if (std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2) return {};
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  return {static_cast<double>(utime) / tick, static_cast<double>(stime) / tick};
}

// utime + stime of another process, in seconds (0 when unreadable).
inline double processCpuSeconds(int pid) {
  CpuSplit s = processCpuSplit(pid);
  return s.user + s.system;
}

inline std::string base64(const unsigned char* data, size_t n, bool url) {
  static const char* std64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  static const char* url64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const char* tbl = url ? url64 : std64;
  std::string out;
  out.reserve((n + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < n; i += 3) {
    uint32_t v = (uint32_t(data[i]) << 16) | (uint32_t(data[i + 1]) << 8) | data[i + 2];
    for (int s = 18; s >= 0; s -= 6) out += tbl[(v >> s) & 63];
  }
  if (i < n) {
    uint32_t v = uint32_t(data[i]) << 16;
    if (i + 1 < n) v |= uint32_t(data[i + 1]) << 8;
    out += tbl[(v >> 18) & 63];
    out += tbl[(v >> 12) & 63];
    if (i + 1 < n) out += tbl[(v >> 6) & 63];
    if (!url) out += (i + 1 < n) ? "=" : "==";
  }
  return out;
}

inline std::string b64url(std::string_view s) { return base64(reinterpret_cast<const unsigned char*>(s.data()), s.size(), true); }

// An HS256 JWT for `claimsJson`, header kid = `key`. Empty when HMAC fails.
inline std::string signJwt(const std::string& key, const std::string& claimsJson, const std::string& secret) {
  std::string header = R"({"alg":"HS256","typ":"JWT","kid":")" + key + R"("})";
  std::string signingInput = b64url(header) + "." + b64url(claimsJson);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int macLen = 0;
  if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
            reinterpret_cast<const unsigned char*>(signingInput.data()), signingInput.size(), mac, &macLen)) {
    return {};
  }
  return signingInput + "." + base64(mac, macLen, true);
}

// Raises the open-file limit to its hard maximum (a benchmark holds thousands of sockets);
// returns the limit now in force.
inline rlim_t raiseFdLimit() {
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  getrlimit(RLIMIT_NOFILE, &rl);
  return rl.rlim_cur;
}

// A non-blocking listening socket on 127.0.0.1:`port` (0 = any free port); prints
// "listening on 127.0.0.1:PORT" on stdout for the run script, or exits 1 naming `tool`.
// Set by SIGTERM/SIGINT once catchStopSignals() ran; a server's loop runs while it is 0.
inline volatile std::sig_atomic_t g_stop = 0;

// SIGTERM/SIGINT ask the loop to stop (counters are printed at exit); SIGPIPE is ignored, so a
// vanished peer is an EPIPE, not the end of the process.
inline void catchStopSignals() {
  std::signal(SIGTERM, [](int) { g_stop = 1; });
  std::signal(SIGINT, [](int) { g_stop = 1; });
  std::signal(SIGPIPE, SIG_IGN);
}

// An epoll set holding the listening socket `lfd` (level-triggered input; data.ptr = nullptr
// marks it among the connections).
inline int epollWithListener(int lfd) {
  int ep = epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = nullptr;
  epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
  return ep;
}

inline int listenLoopback(int port, const char* tool) {
  int lfd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (lfd < 0 || ::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 || ::listen(lfd, 4096) < 0) {
    std::fprintf(stderr, "%s: listen on port %d: %s\n", tool, port, std::strerror(errno));
    std::exit(1);
  }
  socklen_t alen = sizeof addr;
  getsockname(lfd, reinterpret_cast<sockaddr*>(&addr), &alen);
  std::printf("listening on 127.0.0.1:%d\n", ntohs(addr.sin_port));
  std::fflush(stdout);
  return lfd;
}

// One non-blocking recv through `scratch` (never zeroed), appending only what arrived to `in`.
// Drained: nothing more for now (short read or EAGAIN); Full: the scratch filled, read again;
// Closed: EOF or a socket error.
enum class ReadResult { Drained, Full, Closed };
template <size_t N>
inline ReadResult readInto(int fd, std::string& in, std::array<char, N>& scratch) {
  for (;;) {
    ssize_t n = ::recv(fd, scratch.data(), N, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return ReadResult::Drained;
    if (n <= 0) return ReadResult::Closed;
    in.append(scratch.data(), static_cast<size_t>(n));
    return static_cast<size_t>(n) < N ? ReadResult::Drained : ReadResult::Full;
  }
}

// Appends one client frame (FIN set, masked with `mask`) to `out`.
inline void appendMaskedFrame(std::string& out, std::string_view payload, uint8_t opcode, uint32_t mask) {
  out += static_cast<char>(0x80 | opcode);
  size_t n = payload.size();
  if (n < 126) {
    out += static_cast<char>(0x80 | n);
  } else if (n < 65536) {
    out += static_cast<char>(0x80 | 126);
    out += static_cast<char>((n >> 8) & 0xff);
    out += static_cast<char>(n & 0xff);
  } else {
    out += static_cast<char>(0x80 | 127);
    for (int s = 56; s >= 0; s -= 8) out += static_cast<char>((uint64_t(n) >> s) & 0xff);
  }
  unsigned char mk[4] = {uint8_t(mask), uint8_t(mask >> 8), uint8_t(mask >> 16), uint8_t(mask >> 24)};
  out.append(reinterpret_cast<const char*>(mk), 4);
  size_t at = out.size();
  out.append(payload);
  for (size_t i = 0; i < n; ++i) out[at + i] = static_cast<char>(out[at + i] ^ mk[i & 3]);
}

// The next client frame (RFC 6455 §5.2: masked) in `in` from offset `at`, unmasked in place;
// `at` moves past it. NeedMore: the frame is incomplete; Bad: unmasked or over `maxPayload`.
struct ClientFrame {
  uint8_t opcode = 0;
  std::string_view payload;
};
enum class FrameResult { Frame, NeedMore, Bad };
inline FrameResult takeClientFrame(std::string& in, size_t& at, ClientFrame& frame, uint64_t maxPayload = 1u << 20) {
  if (in.size() - at < 2) return FrameResult::NeedMore;
  const auto* h = reinterpret_cast<const uint8_t*>(in.data() + at);
  uint64_t len = h[1] & 0x7f;
  size_t hl = 2;
  if (len == 126) {
    if (in.size() - at < 4) return FrameResult::NeedMore;
    len = (uint64_t(h[2]) << 8) | h[3];
    hl = 4;
  } else if (len == 127) {
    if (in.size() - at < 10) return FrameResult::NeedMore;
    len = 0;
    for (int i = 0; i < 8; ++i) len = (len << 8) | h[2 + i];
    hl = 10;
  }
  if (!(h[1] & 0x80) || len > maxPayload) return FrameResult::Bad;
  if (in.size() - at < hl + 4 + len) return FrameResult::NeedMore;
  uint8_t key[4];
  std::memcpy(key, h + hl, 4);
  char* p = in.data() + at + hl + 4;
  for (uint64_t i = 0; i < len; ++i) p[i] = static_cast<char>(p[i] ^ key[i & 3]);
  frame.opcode = h[0] & 0x0f;
  frame.payload = std::string_view(p, len);
  at += hl + 4 + len;
  return FrameResult::Frame;
}

// Appends one unmasked server frame (FIN set) around `payload` to `out`.
inline void appendServerFrame(std::string& out, uint8_t opcode, std::string_view payload) {
  const size_t n = payload.size();
  out += static_cast<char>(0x80 | opcode);
  if (n < 126) {
    out += static_cast<char>(n);
  } else if (n < 65536) {
    out += static_cast<char>(126);
    out += static_cast<char>((n >> 8) & 0xff);
    out += static_cast<char>(n & 0xff);
  } else {
    out += static_cast<char>(127);
    for (int s = 56; s >= 0; s -= 8) out += static_cast<char>((uint64_t(n) >> s) & 0xff);
  }
  out.append(payload);
}

// The server's answer to a WebSocket upgrade request `head` (the request up to, not including,
// its blank line): "101 Switching Protocols" with the accept key, or "" when the head names no
// Sec-WebSocket-Key.
inline std::string upgradeResponse(std::string_view head) {
  std::string key;
  for (size_t at = 0; at < head.size();) {
    size_t eol = head.find("\r\n", at);
    if (eol == std::string_view::npos) eol = head.size();
    std::string_view line = head.substr(at, eol - at);
    at = eol + 2;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name(line.substr(0, colon));
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (name != "sec-websocket-key") continue;
    std::string_view v = line.substr(colon + 1);
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
    key = std::string(v);
  }
  if (key.empty()) return {};
  key += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";  // RFC 6455 §1.3
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(key.data()), key.size(), digest);
  return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
         base64(digest, SHA_DIGEST_LENGTH, false) + "\r\n\r\n";
}

}  // namespace benchkit
