// fanout_client: the load client of the fan-out benchmark (bench/fanout/run.sh).
//
// One process, one thread, raw epoll. It opens N subscriber WebSocket connections and one
// publisher connection to a target speaking one of three dialects:
//
//   onair    GET /v1/connect, `connect` with a token, `channel.subscribe`; the publisher sends
//            `channel.broadcast` (or `channel.publish` with --stored) requests.
//   nats     nats-server's websocket listener: the NATS text protocol inside binary frames
//            (INFO / CONNECT / SUB / PING-PONG / PUB / MSG).
//   ceiling  fanout_ceiling: the publisher says "P" once, then each text frame it sends is
//            written by the server to every subscriber as one shared frame.
//   relay    onair's portal relay (bench/relay/run.sh): a producer `connect`s and `live.publish`es
//            --live-id with a portal-relay transport, then sends binary frames (docs/protocol.md
//            "Binary frames": [0x01][flags][target length u16 BE][target][chunk]); each viewer
//            `connect`s and `live.attach`es with transports ["portal-relay"] and receives the same
//            layout. Every connection has its own user (sub "producer", "v<i>"): tokens are minted
//            here, HS256 with --api-key / --api-secret (default: ONAIR_API_KEY / ONAIR_API_SECRET).
//   relay-ceiling  the same binary frames through fanout_ceiling ("P" once, then binary frames,
//            which it forwards as binary frames).
//
// Every payload is `size` bytes: "@ts:" + 16 hex digits (CLOCK_MONOTONIC ns at send) + ":" and
// padding. A subscriber finds the marker in each delivered message and records now - ts in a
// histogram of 1 µs buckets up to 1 s. Both processes share the machine, so the clocks agree.
//
// Relay dialects send chunks of --chunk bytes (default 20,000), every --key-every-th (25) flagged
// key; the chunk's first 8 bytes are the send time (CLOCK_MONOTONIC ns), the next 8 its sequence
// number. The fixed rate defaults to --bitrate / (8 × chunk) chunks/s (4 Mbit/s → 25/s). A viewer
// counts chunk bytes delivered and gaps in the sequence (chunks the server skipped); in flight is
// then sent - the lowest next sequence over the viewers, so skipped chunks do not stall the window.
// --server-pid P[,P2,...]: the servers' CPU use (run time of their threads, /proc/<pid>/task/*/
// schedstat) per phase, per process and summed (a cluster: every node and the Redis it shares).
// --ports P1,P2,...: several nodes of one cluster; subscriber i connects to P(i mod n), the
// publisher to P1. Deliveries are also counted per port, so CPU per delivery is known per node.
//
// Two phases on the same connections:
//   max    publish as fast as the target takes it, with at most W messages in flight, where
//          in flight = published - delivered / N (a message counts once all N have it).
//   rate   publish R messages per second; latency here is the figure (at max rate it is queueing).
//
// Subscribers read with 256 KiB recv calls until a short read, so one syscall carries many
// messages, and at max rate only one delivery in 64 is timed. The client's own CPU use
// (getrusage) is reported per phase so a run can show the client was not the bottleneck, with
// the counts that say where its time goes (epoll waits, recv calls, bytes per recv).
// --lowat B sets SO_RCVLOWAT during the max phase (fewer, larger reads; off by default).
// Output: one JSON object on stdout; progress on stderr.
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "../common/BenchKit.hpp"

namespace {

enum class Dialect { onair, nats, ceiling, relay, relay_ceiling };

bool is_relay(Dialect d) { return d == Dialect::relay || d == Dialect::relay_ceiling; }

struct Options {
  Dialect dialect = Dialect::ceiling;
  std::string host = "127.0.0.1";
  int port = 0;
  std::string path = "/";
  int subs = 1000;
  int size = 100;
  std::string token;
  std::string channel = "bench";
  bool stored = false;
  double warmup_s = 1.0;
  double max_s = 10.0;
  int window = 256;
  double rate = 20.0;
  double rate_s = 10.0;
  int per_address = 1000;
  bool spin = false;  // rate phase: poll without sleeping between messages
  int lowat = 0;      // max phase: SO_RCVLOWAT on subscribers (0 = off)
  // relay dialects
  int chunk = 20000;
  double bitrate = 4e6;
  int key_every = 25;
  std::string live_id = "content:bench";
  std::string api_key, api_secret;
  bool rate_given = false;
  std::vector<int> server_pids;  // any dialect: each one's CPU use per phase (proc_cpu_seconds)
  std::vector<int> ports;        // --ports (or --port): subscriber i on ports[i % size], publisher on ports[0]
};

[[noreturn]] void die(const char* fmt, auto... args) {
  std::fprintf(stderr, "fanout_client: ");
  std::fprintf(stderr, fmt, args...);
  std::fprintf(stderr, "\n");
  std::exit(1);
}

int64_t mono_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

double cpu_seconds() {
  rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// CPU seconds (user + system, all threads) a process has used, from /proc/<pid>/stat fields 14
// and 15 (clock ticks: 10 ms); -1 when it cannot be read.
double proc_stat_cpu_seconds(int pid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
  FILE* f = std::fopen(path, "r");
  if (!f) return -1;
  char buf[1024];
  size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = 0;
  const char* p = std::strrchr(buf, ')');  // the command name may hold spaces
  if (!p) return -1;
  unsigned long long utime = 0, stime = 0;
  // After ")": state(3) ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15)
  if (std::sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2) return -1;
  return double(utime + stime) / double(sysconf(_SC_CLK_TCK));
}

// CPU seconds a process's live threads have run, in ns from /proc/<pid>/task/*/schedstat (its
// first field): a lightly loaded process (Redis at 1 % of a core) shows up in a 10 s phase, where
// clock ticks would give it a handful. Falls back to /proc/<pid>/stat; -1 when unreadable.
double proc_cpu_seconds(int pid) {
  if (pid <= 0) return -1;
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/task", pid);
  DIR* d = opendir(path);
  if (!d) return proc_stat_cpu_seconds(pid);
  unsigned long long ns = 0;
  bool any = false;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    char file[320];
    std::snprintf(file, sizeof file, "/proc/%d/task/%s/schedstat", pid, e->d_name);
    FILE* f = std::fopen(file, "r");
    if (!f) continue;
    unsigned long long run = 0;
    if (std::fscanf(f, "%llu", &run) == 1) { ns += run; any = true; }
    std::fclose(f);
  }
  closedir(d);
  return any ? double(ns) / 1e9 : proc_stat_cpu_seconds(pid);
}

// Busy CPU seconds over the whole machine (all CPUs; user+nice+system+irq+softirq+steal) from
// /proc/stat: minus the server's and the client's own, what else ran during a phase.
double machine_busy_seconds() {
  FILE* f = std::fopen("/proc/stat", "r");
  if (!f) return -1;
  unsigned long long v[8] = {};
  int got = std::fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
  std::fclose(f);
  if (got != 8) return -1;
  return double(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / double(sysconf(_SC_CLK_TCK));
}

// ---- access tokens (relay dialect): HS256 JWTs, base64url without padding ------------------

std::string base64url(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(in.data()),
                          int(in.size()));
  out.resize(size_t(n));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& ch : out) ch = ch == '+' ? '-' : ch == '/' ? '_' : ch;
  return out;
}

std::string mint_token(const std::string& key, const std::string& secret, const std::string& sub) {
  long long now = (long long)std::time(nullptr);
  std::string header = "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"" + key + "\"}";
  std::string claims = "{\"iss\":\"" + key + "\",\"sub\":\"" + sub + "\",\"iat\":" + std::to_string(now) +
                       ",\"exp\":" + std::to_string(now + 3600) +
                       ",\"grants\":{\"live\":{\"content:*\":[\"publish\",\"attach\"]}}}";
  std::string signing = base64url(header) + "." + base64url(claims);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (!HMAC(EVP_sha256(), secret.data(), int(secret.size()), reinterpret_cast<const unsigned char*>(signing.data()),
            signing.size(), mac, &mac_len))
    std::exit(1);
  return signing + "." + base64url(std::string_view(reinterpret_cast<char*>(mac), mac_len));
}

// ISO-8601 UTC, `ahead_s` seconds from now (live.publish expiresAt).
std::string iso_in(int ahead_s) {
  time_t t = std::time(nullptr) + ahead_s;
  tm g{};
  gmtime_r(&t, &g);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000Z", &g);
  return buf;
}

// Latency histogram: 1 µs buckets up to 1 s, then one overflow bucket.
struct Histogram {
  static constexpr size_t kBuckets = 1'000'000;
  std::vector<uint32_t> counts = std::vector<uint32_t>(kBuckets + 1, 0);
  uint64_t total = 0;
  int64_t max_ns = 0;

  void record(int64_t ns) {
    if (ns < 0) ns = 0;
    size_t us = size_t(ns / 1000);
    ++counts[std::min(us, kBuckets)];
    ++total;
    max_ns = std::max(max_ns, ns);
  }
  // Upper edge of the bucket holding the q-quantile, in µs (kBuckets = "over 1 s").
  double quantile_us(double q) const {
    if (total == 0) return 0;
    uint64_t rank = uint64_t(q * double(total - 1)) + 1, seen = 0;
    for (size_t i = 0; i <= kBuckets; ++i) {
      seen += counts[i];
      if (seen >= rank) return double(i + 1);
    }
    return double(kBuckets);
  }
  void clear() {
    std::fill(counts.begin(), counts.end(), 0);
    total = 0;
    max_ns = 0;
  }
};

// Reads 16 lowercase hex digits; returns -1 when they are not there.
int64_t parse_hex16(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 16; ++i) {
    char c = p[i];
    unsigned d;
    if (c >= '0' && c <= '9') d = unsigned(c - '0');
    else if (c >= 'a' && c <= 'f') d = unsigned(c - 'a' + 10);
    else return -1;
    v = (v << 4) | d;
  }
  return int64_t(v);
}

constexpr std::string_view kMarker = "@ts:";

void fill_payload(char* out, int size, int64_t ts) {
  static const char hex[] = "0123456789abcdef";
  std::memset(out, 'x', size_t(size));
  std::memcpy(out, kMarker.data(), kMarker.size());
  for (int i = 0; i < 16; ++i) out[4 + i] = hex[(uint64_t(ts) >> (60 - 4 * i)) & 0xf];
  out[20] = ':';
}

// ---------------------------------------------------------------------------------------------
// WebSocket framing (RFC 6455 §5.2)
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-------+-+-------------+-------------------------------+
//  |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
//  |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
//  |N|V|V|V|       |S|             |   (if payload len==126/127)   |
//  | |1|2|3|       |K|             |                               |
//  +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
//  |     Extended payload length continued, if payload len == 127  |
//  + - - - - - - - - - - - - - - - +-------------------------------+
//  |                               |Masking-key, if MASK set to 1  |
//  +-------------------------------+-------------------------------+
//  | Masking-key (continued)       |          Payload Data         |
//  +-------------------------------- - - - - - - - - - - - - - - - +
// ---------------------------------------------------------------------------------------------

uint32_t g_mask_state = 0x9e3779b9u;

// Appends one client frame (FIN set, masked) to out.
void append_client_frame(std::string& out, uint8_t opcode, std::string_view payload) {
  size_t n = payload.size();
  char hdr[14];
  size_t h = 0;
  hdr[h++] = char(0x80 | opcode);
  if (n < 126) {
    hdr[h++] = char(0x80 | n);
  } else if (n < 65536) {
    hdr[h++] = char(0x80 | 126);
    hdr[h++] = char(n >> 8);
    hdr[h++] = char(n);
  } else {
    hdr[h++] = char(0x80 | 127);
    for (int i = 7; i >= 0; --i) hdr[h++] = char(uint64_t(n) >> (8 * i));
  }
  g_mask_state ^= g_mask_state << 13;
  g_mask_state ^= g_mask_state >> 17;
  g_mask_state ^= g_mask_state << 5;
  uint8_t key[4];
  std::memcpy(key, &g_mask_state, 4);
  std::memcpy(hdr + h, key, 4);
  h += 4;
  size_t at = out.size();
  out.append(hdr, h);
  out.append(payload);
  char* p = out.data() + at + h;
  // Eight bytes at a time (the key repeats every 4), then the tail; same bytes as byte-wise.
  uint64_t k8;
  uint8_t kk[8] = {key[0], key[1], key[2], key[3], key[0], key[1], key[2], key[3]};
  std::memcpy(&k8, kk, 8);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t v;
    std::memcpy(&v, p + i, 8);
    v ^= k8;
    std::memcpy(p + i, &v, 8);
  }
  for (; i < n; ++i) p[i] = char(p[i] ^ key[i & 3]);
}

// Writes all of data to a (possibly non-blocking) socket; used for setup and control frames.
void send_all(int fd, std::string_view data) {
  size_t off = 0;
  int spins = 0;
  while (off < data.size()) {
    ssize_t w = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (w > 0) { off += size_t(w); continue; }
    if (w < 0 && (errno == EAGAIN || errno == EINTR) && ++spins < 1'000'000) { usleep(10); continue; }
    die("send failed: %s", std::strerror(errno));
  }
}

std::string ws_accept_for(std::string_view key) {
  std::string in(key);
  in += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(in.data()), in.size(), digest);
  unsigned char b64[64];
  int n = EVP_EncodeBlock(b64, digest, SHA_DIGEST_LENGTH);
  return std::string(reinterpret_cast<char*>(b64), size_t(n));
}

// ---------------------------------------------------------------------------------------------
// Connections
// ---------------------------------------------------------------------------------------------

struct Conn {
  int fd = -1;
  int index = -1;        // subscriber index; -1 for the publisher
  size_t port_index = 0; // which of Options::ports it is connected to
  bool closed = false;
  // Frame parser state: a header being gathered, then `remaining` payload bytes.
  uint8_t hdr[14];
  size_t hdr_len = 0;
  uint64_t remaining = 0;
  uint8_t opcode = 0;
  bool in_payload = false;
  std::string partial;   // the current frame's payload when it spans reads
  std::string nats;      // NATS protocol bytes not yet parsed (a line or a message cut short)
  bool pong_seen = false;
  uint64_t received = 0;
  size_t marker_at = 0;    // where the timestamp marker was in the last message
  std::string last_frame;  // during setup: the last frame without a timestamp (a reply)
  std::string out;       // publisher: bytes not yet accepted by the socket
  int64_t next_seq = 0;  // relay viewer: the chunk sequence number expected next
};

struct Phase {
  const char* name = "";
  Histogram hist;
  uint64_t published = 0;
  uint64_t delivered = 0;
  int64_t start_ns = 0, end_ns = 0;
  double cpu_start = 0, cpu_end = 0;
  uint64_t epoll_waits = 0, epoll_events = 0, recvs = 0, bytes = 0;
  int64_t busy_ns = 0;
  uint64_t chunk_bytes = 0, gaps = 0;          // relay: chunk bytes delivered, chunks skipped
  double server_cpu_start = -1, server_cpu_end = -1;  // summed over the server pids
  std::vector<double> pid_cpu_start, pid_cpu_end;    // per server pid
  std::vector<uint64_t> delivered_by_port;
  double machine_start = -1, machine_end = -1;
};

struct Client {
  Options opt;
  int ep = -1;
  std::vector<std::unique_ptr<Conn>> subs;
  std::unique_ptr<Conn> pub;
  std::vector<char> scratch = std::vector<char>(256 * 1024);
  uint64_t published = 0;     // since start
  uint64_t delivered = 0;     // since start, all subscribers
  std::vector<uint64_t> delivered_by_port;  // since start, by the port the subscriber is on
  uint64_t other_frames = 0;  // frames without a timestamp (replies, other events)
  uint64_t errors = 0;        // error replies (onair) or -ERR lines (nats)
  std::string first_error;
  uint64_t closed_subs = 0;
  Histogram* hist = nullptr;  // where latency goes now; null while not measuring
  int64_t measure_from_ns = 0;  // only messages sent at or after this count toward `hist`
  uint64_t sample_mask = 0;     // time one delivery in sample_mask + 1
  int next_id = 10;
  bool setup = true;            // connections are being opened
  // Where the client's time goes: syscalls and the time spent handling ready sockets.
  uint64_t epoll_waits = 0, epoll_events = 0, recvs = 0, bytes = 0;
  int64_t busy_ns = 0;
  // Relay: chunks sent since start (the next sequence number), chunk bytes delivered to viewers,
  // chunks a viewer never got (a jump in its sequence).
  int64_t seq = 0;
  uint64_t chunk_bytes = 0, gaps = 0;
};

// ---- message handlers ----------------------------------------------------------------------

// A delivered message whose timestamp starts at `hex`. At max rate only one in
// (sample_mask + 1) is timed: latency there is queueing, and timing costs client CPU.
inline void on_delivery(Client& c, Conn& conn, const char* hex, int64_t now) {
  ++conn.received;
  ++c.delivered_by_port[conn.port_index];
  if ((c.delivered++ & c.sample_mask) != 0 || !c.hist) return;
  int64_t ts = parse_hex16(hex);
  if (ts >= c.measure_from_ns) c.hist->record(now - ts);
}

void handle_nats_bytes(Client& c, Conn& conn, const char* p, size_t n, int64_t now);

// Relay: a binary frame [0x01][flags][target length u16 BE][target][chunk], the chunk starting
// with its send time and sequence number (8 bytes each, host order).
bool on_relay_chunk(Client& c, Conn& conn, const char* p, size_t n, int64_t now) {
  if (n < 4 || uint8_t(p[0]) != 1) return false;
  size_t tlen = (size_t(uint8_t(p[2])) << 8) | uint8_t(p[3]);
  if (n < 4 + tlen + 16) return false;
  const char* chunk = p + 4 + tlen;
  int64_t ts, seq;
  std::memcpy(&ts, chunk, 8);
  std::memcpy(&seq, chunk + 8, 8);
  if (conn.index < 0) return true;  // the producer does not get its own chunks; ignore if it did
  if (seq > conn.next_seq) c.gaps += uint64_t(seq - conn.next_seq);
  if (seq >= conn.next_seq) conn.next_seq = seq + 1;
  c.chunk_bytes += n - 4 - tlen;
  ++conn.received;
  ++c.delivered_by_port[conn.port_index];
  if ((c.delivered++ & c.sample_mask) != 0 || !c.hist) return true;
  if (ts >= c.measure_from_ns) c.hist->record(now - ts);
  return true;
}

// A complete data frame (opcode text/binary) arrived on `conn`.
void on_message(Client& c, Conn& conn, uint8_t opcode, const char* p, size_t n, int64_t now) {
  if (c.opt.dialect == Dialect::nats) {
    handle_nats_bytes(c, conn, p, n, now);
    return;
  }
  if (is_relay(c.opt.dialect)) {
    if (opcode == 2 && on_relay_chunk(c, conn, p, n, now)) return;
    ++c.other_frames;
    if (c.setup) conn.last_frame.assign(p, n);
    if (std::string_view(p, n).find("\"error\"") != std::string_view::npos && c.errors++ == 0)
      c.first_error.assign(p, std::min<size_t>(n, 300));
    return;
  }
  // ceiling: the payload is ours, marker first. onair: the payload sits inside the event JSON,
  // at the same place in every event, so the last place is tried before searching.
  const char* m = nullptr;
  size_t at = conn.marker_at;
  if (at + 21 <= n && std::memcmp(p + at, kMarker.data(), 4) == 0) {
    m = p + at;
  } else if (conn.index >= 0) {
    m = static_cast<const char*>(memmem(p, n, kMarker.data(), kMarker.size()));
    if (m && size_t(p + n - m) < 21) m = nullptr;
    if (m) conn.marker_at = size_t(m - p);
  }
  if (!m) {
    // A reply or another event. Error replies are counted and the first is kept.
    ++c.other_frames;
    if (c.setup) conn.last_frame.assign(p, n);
    if (std::string_view(p, n).find("\"error\"") != std::string_view::npos && c.errors++ == 0)
      c.first_error.assign(p, std::min<size_t>(n, 300));
    return;
  }
  on_delivery(c, conn, m + 4, now);
}

// NATS protocol: "MSG <subject> <sid> [reply-to] <#bytes>\r\n<payload>\r\n", "PING\r\n",
// "PONG\r\n", "+OK\r\n", "-ERR '...'\r\n", "INFO {...}\r\n". Messages may span frames.
// Returns how many bytes of p[0, n) were consumed.
size_t parse_nats(Client& c, Conn& conn, const char* p, size_t n, int64_t now) {
  size_t at = 0;
  while (at < n) {
    const char* line = p + at;
    const char* eol = static_cast<const char*>(std::memchr(line, '\n', n - at));
    if (!eol) break;
    size_t line_len = size_t(eol - line) + 1;
    if (line_len >= 4 && std::memcmp(line, "MSG ", 4) == 0) {
      // Size is the last token before \r\n.
      const char* e = eol;
      if (e > line && e[-1] == '\r') --e;
      const char* s = e;
      while (s > line && s[-1] >= '0' && s[-1] <= '9') --s;
      size_t bytes = size_t(std::strtoull(std::string(s, e).c_str(), nullptr, 10));
      if (at + line_len + bytes + 2 > n) break;  // payload not all here yet
      const char* payload = line + line_len;
      if (bytes >= 21 && std::memcmp(payload, kMarker.data(), 4) == 0) {
        on_delivery(c, conn, payload + 4, now);
      } else {
        ++c.other_frames;
      }
      at += line_len + bytes + 2;
      continue;
    }
    if (line_len >= 4 && std::memcmp(line, "PING", 4) == 0) {
      std::string f;
      append_client_frame(f, 2, "PONG\r\n");
      send_all(conn.fd, f);
    } else if (line_len >= 4 && std::memcmp(line, "PONG", 4) == 0) {
      conn.pong_seen = true;
    } else if (line_len >= 4 && std::memcmp(line, "-ERR", 4) == 0) {
      if (c.errors++ == 0) c.first_error.assign(line, line_len);
    }
    at += line_len;
  }
  return at;
}

void handle_nats_bytes(Client& c, Conn& conn, const char* p, size_t n, int64_t now) {
  if (conn.nats.empty()) {
    size_t used = parse_nats(c, conn, p, n, now);
    if (used < n) conn.nats.assign(p + used, n - used);
    return;
  }
  conn.nats.append(p, n);
  size_t used = parse_nats(c, conn, conn.nats.data(), conn.nats.size(), now);
  conn.nats.erase(0, used);
}

void close_conn(Client& c, Conn& conn, const char* why) {
  if (conn.closed) return;
  conn.closed = true;
  if (conn.index >= 0) {
    if (c.closed_subs++ == 0) std::fprintf(stderr, "fanout_client: subscriber %d closed (%s)\n", conn.index, why);
  } else {
    std::fprintf(stderr, "fanout_client: publisher closed (%s)\n", why);
  }
  epoll_ctl(c.ep, EPOLL_CTL_DEL, conn.fd, nullptr);
  ::close(conn.fd);
}

// Feeds bytes read from a server into the frame parser of `conn`.
void on_bytes(Client& c, Conn& conn, const char* p, size_t n, int64_t now) {
  while (n > 0 && !conn.closed) {
    // Fast path: a whole unmasked data frame (up to 64 KiB) with nothing pending.
    if (!conn.in_payload && conn.hdr_len == 0 && n >= 4) {
      uint8_t b0 = uint8_t(p[0]), b1 = uint8_t(p[1]), op = b0 & 0x0f;
      size_t hl = b1 < 126 ? 2 : b1 == 126 ? 4 : 0;
      size_t len = b1 < 126 ? b1 : (size_t(uint8_t(p[2])) << 8) | uint8_t(p[3]);
      if (hl != 0 && (op == 1 || op == 2) && n >= hl + len) {
        on_message(c, conn, op, p + hl, len, now);
        p += hl + len;
        n -= hl + len;
        continue;
      }
    }
    if (!conn.in_payload) {
      // Gather the header (it may span reads): 2 bytes, then 2 or 8 length bytes, and a
      // mask key if the mask bit is set (servers never set it; the key is skipped).
      size_t take = std::min(n, sizeof(conn.hdr) - conn.hdr_len);
      std::memcpy(conn.hdr + conn.hdr_len, p, take);
      size_t have = conn.hdr_len + take;
      const uint8_t* h = conn.hdr;
      if (have < 2) { conn.hdr_len = have; return; }
      uint8_t l7 = h[1] & 0x7f;
      size_t need = 2 + (l7 == 126 ? 2 : l7 == 127 ? 8 : 0) + ((h[1] & 0x80) ? 4 : 0);
      if (have < need) { conn.hdr_len = have; return; }
      size_t from_p = need - conn.hdr_len;  // the header bytes that came from p
      conn.hdr_len = 0;
      p += from_p;
      n -= from_p;
      uint64_t len = l7;
      if (l7 == 126) len = (uint64_t(h[2]) << 8) | h[3];
      else if (l7 == 127) { len = 0; for (int i = 0; i < 8; ++i) len = (len << 8) | h[2 + i]; }
      conn.opcode = h[0] & 0x0f;
      conn.remaining = len;
      conn.in_payload = true;
    }
    // Payload: whole frame in this buffer → hand it over in place; else gather it.
    size_t take = size_t(std::min<uint64_t>(conn.remaining, n));
    const char* frame = nullptr;
    size_t frame_len = 0;
    if (conn.partial.empty() && take == conn.remaining) {
      frame = p;
      frame_len = take;
    } else {
      conn.partial.append(p, take);
      if (take == conn.remaining) { frame = conn.partial.data(); frame_len = conn.partial.size(); }
    }
    conn.remaining -= take;
    p += take;
    n -= take;
    if (conn.remaining > 0) break;
    conn.in_payload = false;
    uint8_t op = conn.opcode;
    if (op == 1 || op == 2 || op == 0) {
      on_message(c, conn, op, frame, frame_len, now);
    } else if (op == 9) {
      std::string f;
      append_client_frame(f, 10, std::string_view(frame, frame_len));
      send_all(conn.fd, f);
    } else if (op == 8) {
      unsigned code = frame_len >= 2 ? (unsigned(uint8_t(frame[0])) << 8 | uint8_t(frame[1])) : 0;
      char why[64];
      std::snprintf(why, sizeof why, "close frame %u", code);
      conn.partial.clear();
      close_conn(c, conn, why);
      return;
    }
    conn.partial.clear();
  }
}

// Reads everything available on `conn` in 256 KiB gulps.
void drain(Client& c, Conn& conn) {
  for (;;) {
    ssize_t r = ::recv(conn.fd, c.scratch.data(), c.scratch.size(), MSG_DONTWAIT);
    ++c.recvs;
    if (r > 0) {
      c.bytes += uint64_t(r);
      on_bytes(c, conn, c.scratch.data(), size_t(r), mono_ns());
      if (conn.closed || size_t(r) < c.scratch.size()) return;
      continue;
    }
    if (r == 0) { close_conn(c, conn, "eof"); return; }
    if (errno == EINTR) continue;
    if (errno != EAGAIN) close_conn(c, conn, std::strerror(errno));
    return;
  }
}

// ---- setup (blocking, with a receive timeout) ------------------------------------------------

int open_socket(const Options& opt, int index, int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket: %s", std::strerror(errno));
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (index >= 0) {
    // Spread subscribers over 127.0.0.2, .3, … so no source address runs out of ports.
    setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    sockaddr_in src{};
    src.sin_family = AF_INET;
    src.sin_addr.s_addr = htonl((127u << 24) | uint32_t(2 + index / opt.per_address));
    if (::bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) < 0) die("bind: %s", std::strerror(errno));
  }
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(uint16_t(port));
  if (inet_pton(AF_INET, opt.host.c_str(), &dst.sin_addr) != 1) die("bad host %s", opt.host.c_str());
  if (::connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) < 0)
    die("connect %s:%d: %s", opt.host.c_str(), port, std::strerror(errno));
  return fd;
}

// Blocking read into the frame parser until `done()` holds.
template <class Done>
void read_until(Client& c, Conn& conn, Done done, const char* what) {
  while (!done()) {
    ssize_t r = ::recv(conn.fd, c.scratch.data(), c.scratch.size(), 0);
    if (r > 0) { on_bytes(c, conn, c.scratch.data(), size_t(r), mono_ns()); continue; }
    if (r < 0 && errno == EINTR) continue;
    die("%s: connection %d: %s", what, conn.index, r == 0 ? "closed" : std::strerror(errno));
  }
}

// The HTTP upgrade; bytes after the response head go to the frame parser.
void upgrade(Client& c, Conn& conn) {
  static const char* keys[] = {"dGhlIHNhbXBsZSBub25jZQ==", "AQIDBAUGBwgJCgsMDQ4PEA==", "ZmFub3V0LWJlbmNoLWtleQ=="};
  const char* key = keys[(conn.index + 1) % 3];
  std::string req = "GET " + c.opt.path + " HTTP/1.1\r\nHost: " + c.opt.host + ":" + std::to_string(c.opt.ports[conn.port_index]) +
                    "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key +
                    "\r\nSec-WebSocket-Version: 13\r\n\r\n";
  send_all(conn.fd, req);
  std::string head;
  for (;;) {
    ssize_t r = ::recv(conn.fd, c.scratch.data(), c.scratch.size(), 0);
    if (r <= 0) {
      if (r < 0 && errno == EINTR) continue;
      die("upgrade: connection %d: %s", conn.index, r == 0 ? "closed" : std::strerror(errno));
    }
    head.append(c.scratch.data(), size_t(r));
    size_t end = head.find("\r\n\r\n");
    if (end == std::string::npos) continue;
    if (head.compare(0, 12, "HTTP/1.1 101") != 0) die("upgrade refused: %s", head.substr(0, end).c_str());
    std::string accept = ws_accept_for(key);
    if (head.find(accept) == std::string::npos) die("upgrade: wrong Sec-WebSocket-Accept");
    if (head.size() > end + 4) on_bytes(c, conn, head.data() + end + 4, head.size() - end - 4, mono_ns());
    return;
  }
}

void setup_conn(Client& c, Conn& conn) {
  upgrade(c, conn);
  switch (c.opt.dialect) {
    case Dialect::ceiling:
      if (conn.index < 0) {
        std::string f;
        append_client_frame(f, 1, "P");
        send_all(conn.fd, f);
      }
      break;
    case Dialect::nats: {
      // INFO arrives by itself and is skipped; PONG confirms CONNECT and SUB were processed.
      std::string cmds = std::string("CONNECT {\"verbose\":false,\"pedantic\":false,\"name\":\"fanout\"}\r\n");
      if (conn.index >= 0) cmds += "SUB " + c.opt.channel + " 1\r\n";
      cmds += "PING\r\n";
      std::string f;
      append_client_frame(f, 2, cmds);
      send_all(conn.fd, f);
      read_until(c, conn, [&] { return conn.pong_seen; }, "nats PONG");
      if (c.errors) die("nats: %s", c.first_error.c_str());
      break;
    }
    case Dialect::onair: {
      // Each request waits for the frame that answers its id; an error reply ends the run.
      auto request = [&](int id, const std::string& op, const std::string& args) {
        std::string json = "{\"id\":" + std::to_string(id) + ",\"op\":\"" + op + "\",\"args\":" + args + "}";
        std::string f;
        append_client_frame(f, 1, json);
        send_all(conn.fd, f);
        std::string want = "{\"id\":" + std::to_string(id) + ",";
        read_until(c, conn, [&] { return conn.last_frame.compare(0, want.size(), want) == 0; }, op.c_str());
        if (conn.last_frame.find("\"result\"") == std::string::npos)
          die("onair %s: %s", op.c_str(), conn.last_frame.c_str());
      };
      request(1, "connect", "{\"token\":\"" + c.opt.token + "\"}");
      if (conn.index >= 0) request(2, "channel.subscribe", "{\"channel\":\"" + c.opt.channel + "\"}");
      break;
    }
    case Dialect::relay_ceiling:
      if (conn.index < 0) {
        std::string f;
        append_client_frame(f, 1, "P");
        send_all(conn.fd, f);
      }
      break;
    case Dialect::relay: {
      // Same request/reply steps as onair; one user per connection (attach caps are per user).
      auto request = [&](int id, const std::string& op, const std::string& args) {
        std::string json = "{\"id\":" + std::to_string(id) + ",\"op\":\"" + op + "\",\"args\":" + args + "}";
        std::string f;
        append_client_frame(f, 1, json);
        send_all(conn.fd, f);
        std::string want = "{\"id\":" + std::to_string(id) + ",";
        read_until(c, conn, [&] { return conn.last_frame.compare(0, want.size(), want) == 0; }, op.c_str());
        if (conn.last_frame.find("\"result\"") == std::string::npos)
          die("onair %s: %s", op.c_str(), conn.last_frame.c_str());
      };
      std::string sub = conn.index < 0 ? std::string("producer") : "v" + std::to_string(conn.index);
      request(1, "connect", "{\"token\":\"" + mint_token(c.opt.api_key, c.opt.api_secret, sub) + "\"}");
      if (conn.index < 0) {
        request(2, "live.publish",
                "{\"liveId\":\"" + c.opt.live_id + "\",\"transports\":[{\"kind\":\"portal-relay\"}],\"expiresAt\":\"" +
                    iso_in(600) + "\"}");
      } else {
        request(2, "live.attach", "{\"liveId\":\"" + c.opt.live_id + "\",\"transports\":[\"portal-relay\"]}");
      }
      break;
    }
  }
}

// ---- publishing ------------------------------------------------------------------------------

// Relay: appends one chunk (binary frame, relay layout, --chunk bytes) with the next sequence number.
void append_chunk(Client& c, std::string& out, int64_t ts) {
  static std::string payload;
  const std::string& target = c.opt.live_id;
  size_t head = 4 + target.size();
  if (payload.size() != head + size_t(c.opt.chunk)) {
    payload.assign(head + size_t(c.opt.chunk), 'x');
    payload[0] = char(1);
    payload[2] = char(target.size() >> 8);
    payload[3] = char(target.size());
    std::memcpy(payload.data() + 4, target.data(), target.size());
  }
  int64_t seq = c.seq++;
  payload[1] = char(seq % c.opt.key_every == 0 ? 2 : 0);  // key : delta
  std::memcpy(payload.data() + head, &ts, 8);
  std::memcpy(payload.data() + head + 8, &seq, 8);
  append_client_frame(out, 2, payload);
}

// Appends one publish, payload stamped with `ts`, to out.
void append_publish(Client& c, std::string& out, int64_t ts) {
  if (is_relay(c.opt.dialect)) {
    append_chunk(c, out, ts);
    return;
  }
  char payload[4096];
  fill_payload(payload, c.opt.size, ts);
  std::string_view pl(payload, size_t(c.opt.size));
  switch (c.opt.dialect) {
    case Dialect::ceiling:
      append_client_frame(out, 1, pl);
      break;
    case Dialect::nats: {
      std::string cmd = "PUB " + c.opt.channel + " " + std::to_string(pl.size()) + "\r\n";
      cmd.append(pl);
      cmd += "\r\n";
      append_client_frame(out, 2, cmd);
      break;
    }
    case Dialect::onair: {
      std::string req = "{\"id\":" + std::to_string(c.next_id++) + ",\"op\":\"" +
                        (c.opt.stored ? "channel.publish" : "channel.broadcast") + "\",\"args\":{\"channel\":\"" +
                        c.opt.channel + "\",\"type\":\"t\",\"data\":\"";
      req.append(pl);
      req += "\"}}";
      append_client_frame(out, 1, req);
      break;
    }
    case Dialect::relay:
    case Dialect::relay_ceiling:
      break;  // append_chunk above
  }
}

// Sends what the publisher has queued; the rest waits for EPOLLOUT.
void flush_pub(Client& c) {
  Conn& p = *c.pub;
  while (!p.out.empty() && !p.closed) {
    ssize_t w = ::send(p.fd, p.out.data(), p.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w > 0) { p.out.erase(0, size_t(w)); continue; }
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && errno == EAGAIN) return;
    close_conn(c, p, std::strerror(errno));
  }
}

void publish(Client& c, uint64_t count) {
  if (count == 0 || c.pub->closed) return;
  int64_t ts = mono_ns();
  for (uint64_t i = 0; i < count; ++i) append_publish(c, c.pub->out, ts);
  c.published += count;
  flush_pub(c);
}

// ---- the loop --------------------------------------------------------------------------------

constexpr int kMaxEvents = 2048;

// One epoll pass: drain every readable connection; returns events seen.
int poll_once(Client& c, int timeout_ms) {
  static epoll_event evs[kMaxEvents];
  int n = epoll_wait(c.ep, evs, kMaxEvents, timeout_ms);
  if (n < 0) {
    if (errno == EINTR) return 0;
    die("epoll_wait: %s", std::strerror(errno));
  }
  ++c.epoll_waits;
  c.epoll_events += uint64_t(n);
  int64_t t0 = n > 0 ? mono_ns() : 0;
  for (int i = 0; i < n; ++i) {
    Conn* conn = static_cast<Conn*>(evs[i].data.ptr);
    if (conn->closed) continue;
    if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) drain(c, *conn);
    if (conn == c.pub.get() && (evs[i].events & EPOLLOUT)) flush_pub(c);
  }
  if (n > 0) c.busy_ns += mono_ns() - t0;
  return n;
}

// Each pid's CPU seconds; `sum` gets their total, or -1 when there are none or one is unreadable.
std::vector<double> servers_cpu_seconds(const std::vector<int>& pids, double& sum) {
  std::vector<double> each;
  sum = pids.empty() ? -1 : 0;
  for (int pid : pids) {
    each.push_back(proc_cpu_seconds(pid));
    if (each.back() < 0) sum = -1;
    if (sum >= 0) sum += each.back();
  }
  return each;
}

void begin_phase(Client& c, Phase& ph) {
  ph.hist.clear();
  c.hist = &ph.hist;
  ph.start_ns = mono_ns();
  c.measure_from_ns = ph.start_ns;
  ph.published = c.published;
  ph.delivered = c.delivered;
  ph.cpu_start = cpu_seconds();
  ph.epoll_waits = c.epoll_waits;
  ph.epoll_events = c.epoll_events;
  ph.recvs = c.recvs;
  ph.bytes = c.bytes;
  ph.busy_ns = c.busy_ns;
  ph.chunk_bytes = c.chunk_bytes;
  ph.gaps = c.gaps;
  ph.pid_cpu_start = servers_cpu_seconds(c.opt.server_pids, ph.server_cpu_start);
  ph.delivered_by_port = c.delivered_by_port;
  ph.machine_start = machine_busy_seconds();
}

void end_phase(Client& c, Phase& ph) {
  ph.end_ns = mono_ns();
  ph.cpu_end = cpu_seconds();
  ph.published = c.published - ph.published;
  ph.delivered = c.delivered - ph.delivered;
  ph.epoll_waits = c.epoll_waits - ph.epoll_waits;
  ph.epoll_events = c.epoll_events - ph.epoll_events;
  ph.recvs = c.recvs - ph.recvs;
  ph.bytes = c.bytes - ph.bytes;
  ph.busy_ns = c.busy_ns - ph.busy_ns;
  ph.chunk_bytes = c.chunk_bytes - ph.chunk_bytes;
  ph.gaps = c.gaps - ph.gaps;
  ph.pid_cpu_end = servers_cpu_seconds(c.opt.server_pids, ph.server_cpu_end);
  for (size_t i = 0; i < ph.delivered_by_port.size(); ++i) ph.delivered_by_port[i] = c.delivered_by_port[i] - ph.delivered_by_port[i];
  ph.machine_end = machine_busy_seconds();
}

uint64_t live_subs(const Client& c) { return uint64_t(c.opt.subs) - c.closed_subs; }

// Relay: the lowest next sequence number over the live viewers (chunks every viewer is past).
int64_t relay_done(const Client& c) {
  int64_t low = c.seq;
  for (const auto& s : c.subs)
    if (!s->closed) low = std::min(low, s->next_seq);
  return low;
}

bool all_delivered(const Client& c) {
  if (is_relay(c.opt.dialect)) return relay_done(c) >= c.seq;
  return c.delivered >= c.published * live_subs(c);
}

// Waits until every published message reached every live subscriber, or `limit_s` passes.
bool wait_drained(Client& c, double limit_s) {
  int64_t until = mono_ns() + int64_t(limit_s * 1e9);
  while (mono_ns() < until) {
    if (all_delivered(c)) return true;
    poll_once(c, 10);
  }
  return all_delivered(c);
}

// SO_RCVLOWAT: a subscriber wakes the client only once this many bytes wait (1 = default).
void set_lowat(Client& c, int bytes) {
  if (bytes <= 0) return;
  for (auto& s : c.subs)
    if (!s->closed) setsockopt(s->fd, SOL_SOCKET, SO_RCVLOWAT, &bytes, sizeof bytes);
}

// Max rate: keep `window` messages in flight for `seconds` (after `warmup` unmeasured).
void run_max(Client& c, Phase& ph, double warmup, double seconds) {
  const uint64_t n = uint64_t(c.opt.subs);
  const uint64_t w = uint64_t(c.opt.window);
  auto top_up = [&] {
    uint64_t in_flight;
    if (is_relay(c.opt.dialect)) {
      in_flight = uint64_t(c.seq - relay_done(c));
    } else {
      uint64_t done = c.delivered / n;  // messages all subscribers have (when none was lost)
      in_flight = c.published - std::min(done, c.published);
    }
    if (in_flight < w && c.pub->out.size() < (1u << 20)) publish(c, w - in_flight);
  };
  c.sample_mask = 63;
  set_lowat(c, c.opt.lowat);
  int64_t warm_end = mono_ns() + int64_t(warmup * 1e9);
  while (mono_ns() < warm_end) { top_up(); poll_once(c, 1); }
  begin_phase(c, ph);
  int64_t end = ph.start_ns + int64_t(seconds * 1e9);
  int64_t last_progress = mono_ns();
  uint64_t last_delivered = c.delivered;
  while (true) {
    int64_t now = mono_ns();
    if (now >= end) break;
    top_up();
    poll_once(c, 1);
    if (c.delivered != last_delivered) { last_delivered = c.delivered; last_progress = now; }
    else if (now - last_progress > 2'000'000'000) { std::fprintf(stderr, "fanout_client: no deliveries for 2 s\n"); break; }
  }
  end_phase(c, ph);
  c.hist = nullptr;
  set_lowat(c, 1);
}

// Fixed rate: one message every 1/rate s for `seconds`, then wait for the last deliveries.
void run_rate(Client& c, Phase& ph, double rate, double seconds) {
  c.sample_mask = 0;
  begin_phase(c, ph);
  const int64_t interval = int64_t(1e9 / rate);
  const uint64_t total = uint64_t(rate * seconds);
  uint64_t sent = 0;
  int64_t next = ph.start_ns;
  while (sent < total) {
    int64_t now = mono_ns();
    if (now >= next) {
      publish(c, 1);
      ++sent;
      next += interval;
      continue;
    }
    int wait_ms = c.opt.spin ? 0 : int((next - now) / 1'000'000);  // sleep up to the next send, ms-rounded down
    poll_once(c, wait_ms);
  }
  wait_drained(c, 2.0);
  end_phase(c, ph);
  c.hist = nullptr;
}

void print_phase_json(const Client& c, const Phase& ph, bool last) {
  double secs = double(ph.end_ns - ph.start_ns) / 1e9;
  double cpu = secs > 0 ? 100.0 * (ph.cpu_end - ph.cpu_start) / secs : 0;
  std::printf(
      "\"%s\":{\"seconds\":%.3f,\"published\":%" PRIu64 ",\"delivered\":%" PRIu64 ",\"expected\":%" PRIu64
      ",\"delivered_per_s\":%.0f,\"published_per_s\":%.1f,\"latency_samples\":%" PRIu64
      ",\"p50_us\":%.0f,\"p99_us\":%.0f,\"p999_us\":%.0f,\"max_us\":%.0f,\"client_cpu_pct\":%.1f"
      ",\"client_busy_pct\":%.1f,\"epoll_waits\":%" PRIu64 ",\"events_per_wait\":%.1f,\"recvs\":%" PRIu64
      ",\"bytes_per_recv\":%.0f%s",
      ph.name, secs, ph.published, ph.delivered, ph.published * uint64_t(c.opt.subs), double(ph.delivered) / secs,
      double(ph.published) / secs, ph.hist.total, ph.hist.quantile_us(0.5), ph.hist.quantile_us(0.99),
      ph.hist.quantile_us(0.999), double(ph.hist.max_ns) / 1000.0, cpu, secs > 0 ? 100.0 * double(ph.busy_ns) / 1e9 / secs : 0,
      ph.epoll_waits, ph.epoll_waits ? double(ph.epoll_events) / double(ph.epoll_waits) : 0, ph.recvs,
      ph.recvs ? double(ph.bytes) / double(ph.recvs) : 0, "");
  // Added fields: the server's CPU (with --server-pid), bytes read, and for relay the chunk bytes.
  std::printf(",\"recv_bytes_per_s\":%.0f", secs > 0 ? double(ph.bytes) / secs : 0);
  if (ph.server_cpu_start >= 0 && ph.server_cpu_end >= 0 && secs > 0)
    std::printf(",\"server_cpu_s\":%.3f,\"server_cpu_pct\":%.1f", ph.server_cpu_end - ph.server_cpu_start,
                100.0 * (ph.server_cpu_end - ph.server_cpu_start) / secs);
  if (ph.server_cpu_start >= 0 && ph.server_cpu_end >= 0 && ph.machine_start >= 0 && secs > 0)
    std::printf(",\"other_cpu_pct\":%.1f",  // the machine's busy time not spent in the server or this client
                100.0 * ((ph.machine_end - ph.machine_start) - (ph.server_cpu_end - ph.server_cpu_start) -
                         (ph.cpu_end - ph.cpu_start)) / secs);
  if (c.opt.server_pids.size() > 1 && ph.server_cpu_start >= 0 && ph.server_cpu_end >= 0) {
    std::printf(",\"pid_cpu_s\":[");
    for (size_t i = 0; i < ph.pid_cpu_start.size(); ++i)
      std::printf("%s%.3f", i ? "," : "", ph.pid_cpu_end[i] - ph.pid_cpu_start[i]);
    std::printf("]");
  }
  if (c.opt.ports.size() > 1) {
    std::printf(",\"delivered_by_port\":[");
    for (size_t i = 0; i < ph.delivered_by_port.size(); ++i) std::printf("%s%" PRIu64, i ? "," : "", ph.delivered_by_port[i]);
    std::printf("]");
  }
  if (is_relay(c.opt.dialect))
    std::printf(",\"chunk_bytes\":%" PRIu64 ",\"chunk_bytes_per_s\":%.0f,\"delivered_mbit_per_s\":%.2f,\"gaps\":%" PRIu64,
                ph.chunk_bytes, secs > 0 ? double(ph.chunk_bytes) / secs : 0,
                secs > 0 ? double(ph.chunk_bytes) * 8 / 1e6 / secs : 0, ph.gaps);
  std::printf("}%s", last ? "" : ",");
}

void usage() {
  std::fprintf(stderr,
               "usage: fanout_client --dialect onair|nats|ceiling|relay|relay-ceiling --port P | --ports P1,P2,...\n"
               "         [--host 127.0.0.1]\n"
               "         [--path /v1/connect] [--subs 1000] [--size 100] [--token JWT] [--channel bench] [--stored]\n"
               "         [--warmup 1] [--max-seconds 10] [--window 256] [--rate 20] [--rate-seconds 10]\n"
               "         [--per-address 1000] [--lowat BYTES] [--spin] [--server-pid PID[,PID...]]\n"
               "       relay: [--chunk 20000] [--bitrate 4000000] [--key-every 25] [--live-id content:bench]\n"
               "         [--api-key K] [--api-secret S] (default ONAIR_API_KEY / ONAIR_API_SECRET);\n"
               "         --rate defaults to bitrate / (8 x chunk) chunks/s\n"
               "A phase with 0 seconds is skipped. Prints one JSON object.\n");
  std::exit(2);
}

// "1,2,3" → {1, 2, 3}; a non-number becomes 0 (rejected by the checks after parsing).
std::vector<int> parse_int_list(std::string_view s) {
  std::vector<int> out;
  while (!s.empty()) {
    size_t comma = s.find(',');
    out.push_back(std::atoi(std::string(s.substr(0, comma)).c_str()));
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

Options parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto next = [&]() -> const char* { if (i + 1 >= argc) usage(); return argv[++i]; };
    if (a == "--dialect") {
      std::string_view d = next();
      if (d == "onair") o.dialect = Dialect::onair;
      else if (d == "nats") o.dialect = Dialect::nats;
      else if (d == "ceiling") o.dialect = Dialect::ceiling;
      else if (d == "relay") o.dialect = Dialect::relay;
      else if (d == "relay-ceiling") o.dialect = Dialect::relay_ceiling;
      else usage();
    } else if (a == "--host") o.host = next();
    else if (a == "--port") o.ports = {std::atoi(next())};
    else if (a == "--ports") o.ports = parse_int_list(next());
    else if (a == "--path") o.path = next();
    else if (a == "--subs") o.subs = std::atoi(next());
    else if (a == "--size") o.size = std::atoi(next());
    else if (a == "--token") o.token = next();
    else if (a == "--channel") o.channel = next();
    else if (a == "--stored") o.stored = true;
    else if (a == "--warmup") o.warmup_s = std::atof(next());
    else if (a == "--max-seconds") o.max_s = std::atof(next());
    else if (a == "--window") o.window = std::atoi(next());
    else if (a == "--rate") { o.rate = std::atof(next()); o.rate_given = true; }
    else if (a == "--rate-seconds") o.rate_s = std::atof(next());
    else if (a == "--per-address") o.per_address = std::atoi(next());
    else if (a == "--spin") o.spin = true;
    else if (a == "--lowat") o.lowat = std::atoi(next());
    else if (a == "--server-pid") o.server_pids = parse_int_list(next());
    else if (a == "--chunk") o.chunk = std::atoi(next());
    else if (a == "--bitrate") o.bitrate = std::atof(next());
    else if (a == "--key-every") o.key_every = std::atoi(next());
    else if (a == "--live-id") o.live_id = next();
    else if (a == "--api-key") o.api_key = next();
    else if (a == "--api-secret") o.api_secret = next();
    else usage();
  }
  if (is_relay(o.dialect)) {
    if (o.chunk < 16 || o.chunk > 900000) die("--chunk must be 16..900000 (time and sequence take 16 bytes)");
    if (o.key_every <= 0 || o.bitrate <= 0 || o.live_id.empty() || o.live_id.size() > 255) usage();
    if (!o.rate_given) o.rate = o.bitrate / (8.0 * o.chunk);
    o.size = o.chunk;
    if (o.dialect == Dialect::relay) {
      if (o.api_key.empty() && std::getenv("ONAIR_API_KEY")) o.api_key = std::getenv("ONAIR_API_KEY");
      if (o.api_secret.empty() && std::getenv("ONAIR_API_SECRET")) o.api_secret = std::getenv("ONAIR_API_SECRET");
      if (o.api_key.empty() || o.api_secret.empty()) die("relay needs --api-key/--api-secret or ONAIR_API_KEY/ONAIR_API_SECRET");
    }
  }
  if (o.ports.empty() || std::any_of(o.ports.begin(), o.ports.end(), [](int p) { return p <= 0 || p > 65535; })) usage();
  o.port = o.ports[0];
  if (o.subs <= 0 || o.window <= 0 || o.rate <= 0 || o.per_address <= 0) usage();
  if (!is_relay(o.dialect) && (o.size < 21 || o.size > 4000)) die("--size must be 21..4000 (the timestamp takes 21 bytes)");
  if (o.dialect == Dialect::onair && o.token.empty()) die("--token is required for onair");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  Client c;
  c.opt = parse_args(argc, argv);
  const char* dialects[] = {"onair", "nats", "ceiling", "relay", "relay-ceiling"};
  benchkit::raiseFdLimit();

  c.ep = epoll_create1(EPOLL_CLOEXEC);
  if (c.ep < 0) die("epoll_create1: %s", std::strerror(errno));

  // Subscribers first, each confirmed (subscribed) before the next; then the publisher. Relay:
  // the producer first (viewers attach to a published liveId), and it sends nothing until all are in.
  int64_t t0 = mono_ns();
  const bool pub_first = is_relay(c.opt.dialect);
  c.pub = std::make_unique<Conn>();
  c.delivered_by_port.assign(c.opt.ports.size(), 0);
  if (pub_first) {
    c.pub->fd = open_socket(c.opt, -1, c.opt.ports[0]);
    setup_conn(c, *c.pub);
  }
  for (int i = 0; i < c.opt.subs; ++i) {
    auto conn = std::make_unique<Conn>();
    conn->index = i;
    conn->port_index = size_t(i) % c.opt.ports.size();
    conn->fd = open_socket(c.opt, i, c.opt.ports[conn->port_index]);
    setup_conn(c, *conn);
    c.subs.push_back(std::move(conn));
  }
  if (!pub_first) {
    c.pub->fd = open_socket(c.opt, -1, c.opt.ports[0]);
    setup_conn(c, *c.pub);
  }
  c.other_frames = 0;
  c.errors = 0;
  c.first_error.clear();
  c.setup = false;
  double setup_s = double(mono_ns() - t0) / 1e9;
  std::fprintf(stderr, "fanout_client: %s: %d subscribers ready in %.2f s\n", dialects[int(c.opt.dialect)], c.opt.subs,
               setup_s);

  for (auto& s : c.subs) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = s.get();
    if (epoll_ctl(c.ep, EPOLL_CTL_ADD, s->fd, &ev) < 0) die("epoll_ctl: %s", std::strerror(errno));
  }
  {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
    ev.data.ptr = c.pub.get();
    if (epoll_ctl(c.ep, EPOLL_CTL_ADD, c.pub->fd, &ev) < 0) die("epoll_ctl: %s", std::strerror(errno));
  }
  // Edge-triggered publisher: take what is already readable now.
  drain(c, *c.pub);

  Phase max_phase, rate_phase;
  max_phase.name = "max";
  rate_phase.name = "rate";
  bool did_max = c.opt.max_s > 0, did_rate = c.opt.rate_s > 0;
  if (did_max) {
    run_max(c, max_phase, c.opt.warmup_s, c.opt.max_s);
    std::fprintf(stderr, "fanout_client: max: %.0f delivered/s\n",
                 double(max_phase.delivered) / (double(max_phase.end_ns - max_phase.start_ns) / 1e9));
    if (!wait_drained(c, 5.0)) std::fprintf(stderr, "fanout_client: max phase did not drain in 5 s\n");
  }
  if (did_rate) {
    // Start the rate phase from a clean count so losses in the max phase do not carry over.
    c.published = 0;
    c.delivered = 0;
    run_rate(c, rate_phase, c.opt.rate, c.opt.rate_s);
  }

  std::printf("{\"dialect\":\"%s\",\"subs\":%d,\"size\":%d,\"window\":%d,\"rate_per_s\":%.1f,\"setup_s\":%.2f,"
              "\"closed_subs\":%" PRIu64 ",\"errors\":%" PRIu64 ",\"other_frames\":%" PRIu64 ",",
              dialects[int(c.opt.dialect)], c.opt.subs, c.opt.size, c.opt.window, c.opt.rate, setup_s, c.closed_subs,
              c.errors, c.other_frames);
  if (is_relay(c.opt.dialect))
    std::printf("\"chunk\":%d,\"bitrate\":%.0f,\"key_every\":%d,\"chunks_sent\":%" PRId64 ",", c.opt.chunk,
                c.opt.bitrate, c.opt.key_every, c.seq);
  if (!c.first_error.empty()) {
    std::string e;
    for (char ch : c.first_error) {
      if (ch == '"' || ch == '\\') e += '\\';
      if (uint8_t(ch) >= 0x20) e += ch;
    }
    std::printf("\"first_error\":\"%s\",", e.c_str());
  }
  if (did_max) print_phase_json(c, max_phase, !did_rate);
  if (did_rate) print_phase_json(c, rate_phase, true);
  std::printf("}\n");
  std::fflush(stdout);

  for (auto& s : c.subs)
    if (!s->closed) ::close(s->fd);
  if (!c.pub->closed) ::close(c.pub->fd);
  return 0;
}
