// live_churn_client: the load client of bench/live_churn (see run.sh there).
//
// One producer connection publishes B broadcasts (content:b0 … content:b<B-1>); C consumer
// connections, one user each (u0 … u<C-1>), each run W independent "lanes". A lane cycles
// live.attach → live.heartbeat → live.release with one request outstanding, so a connection has at
// most W requests in flight and its user holds at most W slots (keep W ≤ the kind's cap, 8).
//
// Two measured phases on the same connections:
//   max    every lane sends its next op as soon as the previous reply arrives (closed loop):
//          completed operations/s;
//   rate   operations are issued on a fixed schedule (R/s overall) to idle lanes (open loop);
//          latency counts from the scheduled time, so a server that falls behind shows up in the
//          percentiles instead of being hidden. The next lane is a random idle one (--pick
//          random, the default: independent users) or the longest idle (--pick fifo). With fifo,
//          the lanes of a connection whose replies arrived together are issued back to back
//          again, so each connection's requests come in bursts that stay synchronized.
// Each phase: warmup, then a measured window; latency per operation = reply time − send time (µs).
//
// Raw epoll, non-blocking sockets; the WebSocket upgrade and framing are done by hand (client
// frames masked). Access tokens are minted here (HS256 with ONAIR_API_KEY / ONAIR_API_SECRET from
// the environment). Replies are picked apart by string search: the client writes every request.
//
// Prints one JSON object on stdout; progress on stderr.
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "../common/BenchKit.hpp"
#include "../common/WsClientCore.hpp"

namespace {

using benchkit::base64;
using benchkit::cpuSeconds;
using benchkit::nowNs;

// ---------------------------------------------------------------- options

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  int conns = 1000;
  int broadcasts = 100;
  int window = 4;           // lanes (outstanding requests, slots) per consumer connection
  double warmup = 2;        // seconds, each phase
  double maxSeconds = 10;   // measured seconds, max phase (0 skips it)
  double rate = 100000;     // operations/s, rate phase
  double rateSeconds = 10;  // measured seconds, rate phase (0 skips it)
  int srcAddrs = 1;         // spread source addresses over 127.0.0.1 … 127.0.0.<n>
  std::string userPrefix = "u";
  int serverPid = 0;        // when set, the server's CPU% per window (from /proc/<pid>/stat)
  std::vector<int> otherPids;  // --server-pid P,Q,...: processes the server relies on (Redis), each one's CPU% too
  bool timeline = false;    // per-100 ms completed ops and worst latency on stderr
  int pollUs = 0;           // rate phase: epoll wait between schedule checks (0 = busy-poll)
  bool pickFifo = false;    // rate phase: next lane = longest idle instead of a random idle one
};

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "live_churn_client: %s\n", what);
  std::exit(2);
}

Options parseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) die("missing value after a flag");
      return argv[++i];
    };
    if (a == "--host") o.host = value();
    else if (a == "--port") o.port = std::atoi(value());
    else if (a == "--conns") o.conns = std::atoi(value());
    else if (a == "--broadcasts") o.broadcasts = std::atoi(value());
    else if (a == "--window") o.window = std::atoi(value());
    else if (a == "--warmup") o.warmup = std::atof(value());
    else if (a == "--max-seconds") o.maxSeconds = std::atof(value());
    else if (a == "--rate") o.rate = std::atof(value());
    else if (a == "--rate-seconds") o.rateSeconds = std::atof(value());
    else if (a == "--src-addrs") o.srcAddrs = std::atoi(value());
    else if (a == "--user-prefix") o.userPrefix = value();
    else if (a == "--server-pid") {
      // "P" or "P,Q,...": the first is the server, the rest serve it (their CPU is counted in the
      // server's and reported apart).
      std::string_view v = value();
      for (bool first = true; !v.empty(); first = false) {
        size_t comma = v.find(',');
        int pid = std::atoi(std::string(v.substr(0, comma)).c_str());
        if (first) o.serverPid = pid;
        else o.otherPids.push_back(pid);
        v = comma == std::string_view::npos ? std::string_view() : v.substr(comma + 1);
      }
    }
    else if (a == "--timeline") o.timeline = true;
    else if (a == "--poll-us") o.pollUs = std::atoi(value());
    else if (a == "--pick") {
      std::string_view v = value();
      if (v != "random" && v != "fifo") die("--pick is random or fifo");
      o.pickFifo = v == "fifo";
    }
    else die("unknown flag (see the top of churn.cpp)");
  }
  if (o.port <= 0 || o.port > 65535) die("--port is required");
  if (o.conns < 1 || o.broadcasts < 1) die("--conns and --broadcasts must be ≥ 1");
  if (o.window < 1 || o.window > 8) die("--window must be 1 to 8 (the content kind's slot cap is 8)");
  if (o.srcAddrs < 1 || o.srcAddrs > 250) die("--src-addrs must be 1 to 250");
  if (o.rate <= 0) die("--rate must be > 0");
  return o;
}

// ---------------------------------------------------------------- time, histogram

// Busy CPU seconds of the whole machine (all cores) from /proc/stat: everything but idle and iowait.
double machineBusySeconds() {
  FILE* f = std::fopen("/proc/stat", "r");
  if (!f) return 0;
  unsigned long long v[10] = {};
  int n = std::fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]);
  std::fclose(f);
  if (n < 8) return 0;
  unsigned long long busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];  // user nice system irq softirq steal
  return static_cast<double>(busy) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// 1 µs buckets up to 1 s; slower samples land in the last bucket (and `max` keeps the truth).
struct Histogram {
  static constexpr size_t kBuckets = 1000001;
  std::vector<uint32_t> counts = std::vector<uint32_t>(kBuckets, 0);
  uint64_t total = 0;
  uint64_t maxUs = 0;
  double sumUs = 0;
  void add(uint64_t us) {
    counts[std::min<uint64_t>(us, kBuckets - 1)]++;
    total++;
    sumUs += static_cast<double>(us);
    maxUs = std::max(maxUs, us);
  }
  uint64_t percentile(double p) const {
    if (total == 0) return 0;
    uint64_t rank = static_cast<uint64_t>(p * static_cast<double>(total) + 0.999999);
    if (rank == 0) rank = 1;
    uint64_t seen = 0;
    for (size_t i = 0; i < kBuckets; ++i) {
      seen += counts[i];
      if (seen >= rank) return i;
    }
    return kBuckets - 1;
  }
};

// ---------------------------------------------------------------- encodings

std::string mintToken(const std::string& key, const std::string& secret, const std::string& user, int64_t now) {
  std::string claims = R"({"iss":")" + key + R"(","aud":"onair","sub":")" + user + R"(","iat":)" + std::to_string(now) +
                       R"(,"exp":)" + std::to_string(now + 3600) +
                       R"(,"grants":{"live":{"content:*":["publish","attach"]}}})";
  std::string token = benchkit::signJwt(key, claims, secret);
  if (token.empty()) die("HMAC failed");
  return token;
}

std::string isoAfter(int64_t seconds) {
  time_t t = time(nullptr) + seconds;
  tm g{};
  gmtime_r(&t, &g);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &g);
  return buf;
}

// ---------------------------------------------------------------- connections

enum class Op : uint8_t { Attach = 0, Heartbeat = 1, Release = 2 };
const char* opName(Op op) { return op == Op::Attach ? "attach" : op == Op::Heartbeat ? "heartbeat" : "release"; }

struct Lane {
  Op next = Op::Attach;
  bool busy = false;
  uint64_t sentNs = 0;      // when the request was written (max) or scheduled (rate)
  std::string attachId;
};

using State = benchkit::ConnState;

struct Conn : benchkit::WsConn {
  int index = 0;           // -1 = producer
  bool producer = false;
  std::string token;
  uint32_t seq = 1;        // request sequence (ids: seq * 8 + lane; 0 = connect)
  std::vector<Lane> lanes;
  int publishesPending = 0;
};

struct Stats {
  uint64_t okOps = 0;
  uint64_t errOps = 0;
  uint64_t okByOp[3] = {0, 0, 0};
  std::map<std::string, uint64_t> errors;  // "op:code"
  Histogram all, byOp[3];
  // Latencies by second of the measured window, for the p99 of each second: whether a tail
  // comes from a few bad seconds (machine stalls) or from every second (queueing).
  std::vector<std::vector<uint32_t>> bySecond;

  void addToSecond(size_t second, uint64_t us) {
    if (second >= 3600) return;
    if (bySecond.size() <= second) bySecond.resize(second + 1);
    bySecond[second].push_back(static_cast<uint32_t>(std::min<uint64_t>(us, UINT32_MAX)));
  }
  // p99 of each whole second (a last partial second is left out).
  std::vector<uint64_t> p99BySecond(double seconds) {
    std::vector<uint64_t> out;
    for (size_t i = 0; i < bySecond.size() && static_cast<double>(i + 1) <= seconds + 0.01; ++i) {
      auto& v = bySecond[i];
      if (v.empty()) {
        out.push_back(0);
        continue;
      }
      size_t rank = std::min(v.size() - 1, static_cast<size_t>(0.99 * static_cast<double>(v.size())));
      std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(rank), v.end());
      out.push_back(v[rank]);
    }
    return out;
  }
};

enum class Phase : uint8_t { Setup, MaxWarm, MaxMeasure, Drain, RateWarm, RateMeasure, Done };

// conns[0] = producer, conns[1..] = consumers; the sockets are WsClientCore's.
struct Client : benchkit::WsClientCore<Client, Conn> {
  Options opt;
  Phase phase = Phase::Setup;
  Stats* measuring = nullptr;  // non-null while a window is open
  Stats maxStats, rateStats;
  uint64_t events = 0, protocolErrors = 0;
  // rate phase
  std::deque<std::pair<int, int>> idle;  // (conn index, lane)
  uint32_t pickState = 0x2545f491u;
  uint64_t rateT0 = 0, rateIssued = 0, rateLate = 0;
  // --timeline
  uint64_t tlStart = 0, tlOps = 0, tlMaxUs = 0, tlGapNs = 0, tlPrev = 0;

  Client() : WsClientCore("live_churn_client") {}

  // ---- WsClientCore hooks

  std::string connectFrame(Conn& c) { return R"({"id":0,"op":"connect","args":{"token":")" + c.token + R"("}})"; }
  bool onFrames(Conn& c, uint64_t now) { return parseFrames(c, now); }
  // --src-addrs N: 127.0.0.1 … 127.0.0.N in turn (more source ports than one address has).
  uint32_t sourceAddress(size_t slot) {
    return opt.srcAddrs > 1 ? 0x7f000001u + static_cast<uint32_t>(slot % static_cast<size_t>(opt.srcAddrs)) : 0;
  }

  uint32_t nextPick() {
    pickState ^= pickState << 13;
    pickState ^= pickState >> 17;
    pickState ^= pickState << 5;
    return pickState;
  }

  // ---- lanes

  void issue(Conn& c, int laneIdx, uint64_t stampNs) {
    Lane& lane = c.lanes[laneIdx];
    uint32_t id = c.seq++ * 8u + static_cast<uint32_t>(laneIdx);
    char buf[256];
    int n;
    if (lane.next == Op::Attach) {
      // Spread a user's lanes and successive cycles over the broadcasts.
      int b = static_cast<int>((static_cast<uint64_t>(c.index) * 7 + laneIdx * 13 + c.seq) % opt.broadcasts);
      n = std::snprintf(buf, sizeof buf, R"({"id":%u,"op":"live.attach","args":{"liveId":"content:b%d"}})", id, b);
    } else {
      n = std::snprintf(buf, sizeof buf, R"({"id":%u,"op":"live.%s","args":{"attachId":"%s"}})", id,
                        lane.next == Op::Heartbeat ? "heartbeat" : "release", lane.attachId.c_str());
    }
    if (n <= 0 || n >= static_cast<int>(sizeof buf)) die("request too long");
    lane.busy = true;
    lane.sentNs = stampNs;
    sendText(c, std::string_view(buf, static_cast<size_t>(n)));
  }

  void onReply(Conn& c, uint32_t id, std::string_view msg, uint64_t now) {
    int laneIdx = static_cast<int>(id & 7u);
    if (laneIdx >= static_cast<int>(c.lanes.size())) {
      protocolErrors++;
      return;
    }
    Lane& lane = c.lanes[laneIdx];
    if (!lane.busy) {
      protocolErrors++;
      return;
    }
    lane.busy = false;
    Op op = lane.next;
    uint64_t us = now > lane.sentNs ? (now - lane.sentNs) / 1000 : 0;
    bool ok = msg.find(R"("result":)") != std::string_view::npos;
    if (ok) {
      if (op == Op::Attach) {
        static constexpr std::string_view kKey = R"("attachId":")";
        auto at = msg.find(kKey);
        auto end = at == std::string_view::npos ? at : msg.find('"', at + kKey.size());
        if (end == std::string_view::npos) {
          ok = false;
          protocolErrors++;
        } else {
          lane.attachId.assign(msg.substr(at + kKey.size(), end - at - kKey.size()));
        }
      }
    }
    if (measuring) {
      if (ok) {
        measuring->okOps++;
        measuring->okByOp[static_cast<int>(op)]++;
        measuring->all.add(us);
        measuring->byOp[static_cast<int>(op)].add(us);
        if (now > measureT0) measuring->addToSecond(static_cast<size_t>((now - measureT0) / 1'000'000'000ull), us);
        tlOps++;
        tlMaxUs = std::max(tlMaxUs, us);
      } else {
        measuring->errOps++;
        std::string code = "?";
        static constexpr std::string_view kCode = R"("code":")";
        if (auto at = msg.find(kCode); at != std::string_view::npos) {
          auto end = msg.find('"', at + kCode.size());
          if (end != std::string_view::npos) code.assign(msg.substr(at + kCode.size(), end - at - kCode.size()));
        }
        measuring->errors[std::string(opName(op)) + ":" + code]++;
      }
    }
    // Next step of the cycle. A failed attach tries again; a failed heartbeat still releases.
    if (op == Op::Attach) lane.next = ok ? Op::Heartbeat : Op::Attach;
    else if (op == Op::Heartbeat) lane.next = Op::Release;
    else lane.next = Op::Attach;
    if (phase == Phase::MaxWarm || phase == Phase::MaxMeasure) {
      issue(c, laneIdx, now);
    } else if (phase == Phase::RateWarm || phase == Phase::RateMeasure) {
      idle.emplace_back(c.index + 1, laneIdx);
    }
  }

  // ---- messages

  void onMessage(Conn& c, std::string_view msg, uint64_t now) {
    if (msg.substr(0, 9) == R"({"event":)") {
      events++;
      return;
    }
    static constexpr std::string_view kId = R"("id":)";
    auto at = msg.find(kId);
    if (at == std::string_view::npos) {
      protocolErrors++;
      return;
    }
    uint64_t id = 0;
    size_t i = at + kId.size();
    bool digits = false;
    while (i < msg.size() && msg[i] >= '0' && msg[i] <= '9') {
      id = id * 10 + static_cast<uint64_t>(msg[i] - '0');
      ++i;
      digits = true;
    }
    if (!digits) {  // "id":null: the server did not understand a request
      protocolErrors++;
      std::fprintf(stderr, "live_churn_client: unexpected message: %.*s\n", static_cast<int>(std::min<size_t>(msg.size(), 300)), msg.data());
      return;
    }
    bool ok = msg.find(R"("result":)") != std::string_view::npos;
    if (c.state == State::Authenticating) {
      if (id != 0 || !ok) {
        setupErrors[std::string("connect: ") + std::string(msg.substr(0, 200))]++;
        closeConn(c);
        return;
      }
      c.state = State::Ready;
      if (c.producer) {
        // Publish every broadcast; expiresAt far enough ahead for the whole run.
        int64_t ahead = static_cast<int64_t>(2 * (opt.warmup + opt.maxSeconds + opt.rateSeconds)) + 600;
        std::string until = isoAfter(ahead);
        for (int b = 0; b < opt.broadcasts; ++b) {
          char buf[256];
          int n = std::snprintf(buf, sizeof buf,
                                R"({"id":%d,"op":"live.publish","args":{"liveId":"content:b%d","transports":[{"kind":"portal-relay"}],"expiresAt":"%s"}})",
                                b + 1, b, until.c_str());
          sendText(c, std::string_view(buf, static_cast<size_t>(n)));
        }
        c.publishesPending = opt.broadcasts;
      }
      return;
    }
    if (c.producer) {
      if (!ok) setupErrors[std::string("publish: ") + std::string(msg.substr(0, 200))]++;
      c.publishesPending--;
      return;
    }
    onReply(c, static_cast<uint32_t>(id), msg, now);
  }

  // Parses whole frames out of c.in; returns false when the connection must close.
  bool parseFrames(Conn& c, uint64_t now) {
    return readMessages(
        c, [&](Conn& conn, std::string_view msg) { onMessage(conn, msg, now); }, [](Conn&, std::string_view) {});
  }

  // ---- phases

  size_t busyLanes() const {
    size_t busy = 0;
    for (const Conn& c : conns)
      if (c.state == State::Ready)
        for (const Lane& l : c.lanes) busy += l.busy;
    return busy;
  }

  bool setup() {
    host = opt.host;
    port = opt.port;
    const char* key = std::getenv("ONAIR_API_KEY");
    const char* secret = std::getenv("ONAIR_API_SECRET");
    if (!key || !secret) die("set ONAIR_API_KEY and ONAIR_API_SECRET (the server's) in the environment");
    int64_t now = time(nullptr);
    conns.resize(static_cast<size_t>(opt.conns) + 1);
    for (size_t i = 0; i < conns.size(); ++i) {
      Conn& c = conns[i];
      c.producer = i == 0;
      c.index = static_cast<int>(i) - 1;
      c.token = mintToken(key, secret, c.producer ? "churn-producer" : opt.userPrefix + std::to_string(c.index), now);
      if (!c.producer) c.lanes.resize(static_cast<size_t>(opt.window));
      c.in.reserve(65536);
    }
    // Producer first; consumers after its publishes are acknowledged, at most 128 handshakes at once.
    startConnect(conns[0]);
    uint64_t deadline = nowNs() + 30'000'000'000ull;
    size_t next = 1;
    while (nowNs() < deadline) {
      pollOnce(1000);
      flushDirty();
      Conn& p = conns[0];
      if (p.state == State::Dead) {
        std::fprintf(stderr, "live_churn_client: the producer connection failed\n");
        return false;
      }
      if (p.state != State::Ready || p.publishesPending > 0) continue;
      if (!setupErrors.empty()) return false;
      size_t pending = 0, ready = 0, dead = 0;
      for (size_t i = 1; i < next; ++i) {
        State s = conns[i].state;
        pending += s == State::Connecting || s == State::Upgrading || s == State::Authenticating;
        ready += s == State::Ready;
        dead += s == State::Dead;
      }
      while (next < conns.size() && pending < 128) {
        startConnect(conns[next]);
        ++next;
        ++pending;
      }
      if (next == conns.size() && pending == 0) {
        std::fprintf(stderr, "live_churn_client: %zu broadcasts published, %zu consumers connected, %zu failed\n",
                     static_cast<size_t>(opt.broadcasts), ready, dead);
        return dead == 0;
      }
    }
    std::fprintf(stderr, "live_churn_client: setup timed out\n");
    return false;
  }

  // Runs until `until`; in the rate phase issues the operations that fall due.
  void runUntil(uint64_t until) {
    bool rated = phase == Phase::RateWarm || phase == Phase::RateMeasure;
    while (true) {
      uint64_t now = nowNs();
      if (now >= until) break;
      if (rated) {
        uint64_t due = static_cast<uint64_t>(static_cast<double>(now - rateT0) * opt.rate / 1e9);
        while (rateIssued < due && !idle.empty()) {
          if (!opt.pickFifo) std::swap(idle.front(), idle[nextPick() % idle.size()]);
          auto [ci, li] = idle.front();
          idle.pop_front();
          Conn& c = conns[static_cast<size_t>(ci)];
          if (c.state != State::Ready) continue;
          uint64_t scheduled = rateT0 + static_cast<uint64_t>(static_cast<double>(rateIssued) * 1e9 / opt.rate);
          issue(c, li, scheduled);
          rateIssued++;
        }
        if (rateIssued < due) rateLate++;  // polls with every lane busy: the schedule waits (latency shows it)
      }
      flushDirty();
      pollOnce(rated ? opt.pollUs : 1000);
      if (opt.timeline && measuring) {
        if (tlPrev) tlGapNs = std::max(tlGapNs, now - tlPrev);
        tlPrev = now;
        if (now - tlStart >= 100'000'000ull) {
          if (tlStart) std::fprintf(stderr, "  t+%6.1f ms: %6llu ops, worst %6llu µs, longest client loop gap %5llu µs\n",
                                    static_cast<double>(now - measureT0) / 1e6, static_cast<unsigned long long>(tlOps),
                                    static_cast<unsigned long long>(tlMaxUs), static_cast<unsigned long long>(tlGapNs / 1000));
          tlStart = now;
          tlOps = tlMaxUs = tlGapNs = 0;
        }
      }
    }
    flushDirty();
  }

  void drain(double maxSeconds) {
    phase = Phase::Drain;
    uint64_t until = nowNs() + static_cast<uint64_t>(maxSeconds * 1e9);
    while (busyLanes() > 0 && nowNs() < until) {
      flushDirty();
      pollOnce(1000);
    }
  }

  struct Window {
    double seconds = 0, cpu = 0, serverCpu = -1, serverUserCpu = -1, otherCpu = -1;  // % of one core
    std::vector<double> pidCpu;  // % of one core: the server, then each of opt.otherPids
  };

  // The server's and its helpers' CPU (user, system) now: the server first.
  std::vector<benchkit::CpuSplit> serverSplits() const {
    std::vector<benchkit::CpuSplit> out{benchkit::processCpuSplit(opt.serverPid)};
    for (int pid : opt.otherPids) out.push_back(benchkit::processCpuSplit(pid));
    return out;
  }
  uint64_t measureT0 = 0;

  Window measure(Stats& stats, double seconds) {
    double cpu0 = cpuSeconds();
    std::vector<benchkit::CpuSplit> server0 = serverSplits();
    double machine0 = machineBusySeconds();
    uint64_t t0 = nowNs();
    measureT0 = t0;
    tlStart = 0;
    measuring = &stats;
    runUntil(t0 + static_cast<uint64_t>(seconds * 1e9));
    measuring = nullptr;
    Window w;
    w.seconds = static_cast<double>(nowNs() - t0) / 1e9;
    w.cpu = (cpuSeconds() - cpu0) / w.seconds * 100;
    if (opt.serverPid > 0) {
      // User space vs kernel: the server's own work vs what the system calls cost (the ceiling's
      // user share is near zero, so onair's user share is its own work on top of the floor).
      // With helper processes (Redis), the server's CPU is theirs and its own together.
      std::vector<benchkit::CpuSplit> server1 = serverSplits();
      w.serverUserCpu = 0;
      w.serverCpu = 0;
      for (size_t i = 0; i < server1.size(); ++i) {
        double user = (server1[i].user - server0[i].user) / w.seconds * 100;
        double all = user + (server1[i].system - server0[i].system) / w.seconds * 100;
        w.pidCpu.push_back(all);
        w.serverUserCpu += user;
        w.serverCpu += all;
      }
      // What the rest of the machine did meanwhile (other processes, kernel threads): a busy
      // neighbour on the benchmark's cores shows up here.
      w.otherCpu = std::max(0.0, (machineBusySeconds() - machine0) / w.seconds * 100 - w.cpu - w.serverCpu);
    }
    return w;
  }

  size_t readyConsumers() const {
    size_t n = 0;
    for (size_t i = 1; i < conns.size(); ++i) n += conns[i].state == State::Ready;
    return n;
  }

  std::string statsJson(Stats& s, const Window& w) {
    std::string j;
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  R"({"seconds":%.3f,"ops":%llu,"ops_per_s":%.0f,"errors":%llu,"attach_per_s":%.0f,"heartbeat_per_s":%.0f,"release_per_s":%.0f,)"
                  R"("p50_us":%llu,"p90_us":%llu,"p99_us":%llu,"p999_us":%llu,"max_us":%llu,"mean_us":%.0f,"client_cpu_pct":%.1f,)",
                  w.seconds, static_cast<unsigned long long>(s.okOps), static_cast<double>(s.okOps) / w.seconds,
                  static_cast<unsigned long long>(s.errOps), static_cast<double>(s.okByOp[0]) / w.seconds,
                  static_cast<double>(s.okByOp[1]) / w.seconds, static_cast<double>(s.okByOp[2]) / w.seconds,
                  static_cast<unsigned long long>(s.all.percentile(0.5)), static_cast<unsigned long long>(s.all.percentile(0.9)),
                  static_cast<unsigned long long>(s.all.percentile(0.99)), static_cast<unsigned long long>(s.all.percentile(0.999)),
                  static_cast<unsigned long long>(s.all.maxUs), s.all.total ? s.all.sumUs / static_cast<double>(s.all.total) : 0.0, w.cpu);
    j += buf;
    if (w.serverCpu >= 0) {
      std::snprintf(buf, sizeof buf, R"("server_cpu_pct":%.1f,"server_user_cpu_pct":%.1f,"other_cpu_pct":%.1f,)", w.serverCpu,
                    w.serverUserCpu, w.otherCpu);
      j += buf;
      if (w.pidCpu.size() > 1) {
        j += R"("pid_cpu_pct":[)";
        for (size_t i = 0; i < w.pidCpu.size(); ++i) {
          std::snprintf(buf, sizeof buf, "%s%.1f", i ? "," : "", w.pidCpu[i]);
          j += buf;
        }
        j += "],";
      }
    }
    j += R"("p99_by_second_us":[)";
    auto bySecond = s.p99BySecond(w.seconds);
    for (size_t i = 0; i < bySecond.size(); ++i) j += (i ? "," : "") + std::to_string(bySecond[i]);
    j += "],";
    j += R"("by_op":{)";
    for (int k = 0; k < 3; ++k) {
      std::snprintf(buf, sizeof buf, R"(%s"%s":{"p50_us":%llu,"p99_us":%llu,"p999_us":%llu})", k ? "," : "", opName(static_cast<Op>(k)),
                    static_cast<unsigned long long>(s.byOp[k].percentile(0.5)), static_cast<unsigned long long>(s.byOp[k].percentile(0.99)),
                    static_cast<unsigned long long>(s.byOp[k].percentile(0.999)));
      j += buf;
    }
    j += R"(},"error_codes":{)";
    bool first = true;
    for (const auto& [code, n] : s.errors) {
      j += (first ? "\"" : ",\"") + code + "\":" + std::to_string(n);
      first = false;
    }
    j += "}}";
    return j;
  }
};

}  // namespace

int main(int argc, char** argv) {
  Client cl;
  cl.opt = parseArgs(argc, argv);
  const Options& o = cl.opt;
  std::fprintf(stderr, "live_churn_client: %d consumers × %d lanes, %d broadcasts, port %d\n", o.conns, o.window, o.broadcasts, o.port);
  bool ok = cl.setup();
  std::string out = "{";
  char buf[512];
  std::snprintf(buf, sizeof buf, R"("conns":%d,"window":%d,"broadcasts":%d,"rate_target":%.0f,)", o.conns, o.window, o.broadcasts, o.rate);
  out += buf;
  if (!ok) {
    out += R"("setup_failed":true,"setup_errors":{)";
    bool first = true;
    for (const auto& [e, n] : cl.setupErrors) {
      std::string esc;
      for (char ch : e) esc += (ch == '"' || ch == '\\') ? ' ' : ch;
      out += (first ? "\"" : ",\"") + esc + "\":" + std::to_string(n);
      first = false;
    }
    out += "}}";
    std::printf("%s\n", out.c_str());
    return 1;
  }

  Client::Window maxW, rateW;
  if (o.maxSeconds > 0) {
    cl.phase = Phase::MaxWarm;
    uint64_t now = nowNs();
    for (auto& c : cl.conns)
      if (!c.producer && c.state == State::Ready)
        for (int l = 0; l < o.window; ++l) cl.issue(c, l, now);
    cl.runUntil(nowNs() + static_cast<uint64_t>(o.warmup * 1e9));
    cl.phase = Phase::MaxMeasure;
    maxW = cl.measure(cl.maxStats, o.maxSeconds);
    std::fprintf(stderr, "live_churn_client: max rate: %.0f ops/s, p99 %llu µs\n", static_cast<double>(cl.maxStats.okOps) / maxW.seconds,
                 static_cast<unsigned long long>(cl.maxStats.all.percentile(0.99)));
    cl.drain(5);
  }
  if (o.rateSeconds > 0) {
    cl.phase = Phase::RateWarm;
    // Idle lanes, round-robin over the connections (lane-major), so the schedule spreads.
    for (int l = 0; l < o.window; ++l)
      for (size_t i = 1; i < cl.conns.size(); ++i)
        if (cl.conns[i].state == State::Ready && !cl.conns[i].lanes[static_cast<size_t>(l)].busy) cl.idle.emplace_back(static_cast<int>(i), l);
    cl.rateT0 = nowNs();
    cl.rateIssued = 0;
    cl.runUntil(cl.rateT0 + static_cast<uint64_t>(o.warmup * 1e9));
    cl.phase = Phase::RateMeasure;
    uint64_t issued0 = cl.rateIssued;
    rateW = cl.measure(cl.rateStats, o.rateSeconds);
    double offered = static_cast<double>(cl.rateIssued - issued0) / rateW.seconds;
    std::fprintf(stderr, "live_churn_client: fixed rate %.0f/s (issued %.0f/s): p50 %llu µs, p99 %llu µs\n", o.rate, offered,
                 static_cast<unsigned long long>(cl.rateStats.all.percentile(0.5)),
                 static_cast<unsigned long long>(cl.rateStats.all.percentile(0.99)));
    cl.phase = Phase::Drain;
    cl.drain(5);
    std::snprintf(buf, sizeof buf, R"("rate_issued_per_s":%.0f,"rate_polls_without_idle_lane":%llu,)", offered, static_cast<unsigned long long>(cl.rateLate));
    out += buf;
  }
  if (o.maxSeconds > 0) out += R"("max":)" + cl.statsJson(cl.maxStats, maxW) + ",";
  if (o.rateSeconds > 0) out += R"("rate":)" + cl.statsJson(cl.rateStats, rateW) + ",";
  std::snprintf(buf, sizeof buf, R"("consumers_ready_at_end":%zu,"closed_conns":%llu,"events":%llu,"protocol_errors":%llu,"left_in_flight":%zu})",
                cl.readyConsumers(), static_cast<unsigned long long>(cl.closedReady), static_cast<unsigned long long>(cl.events),
                static_cast<unsigned long long>(cl.protocolErrors), cl.busyLanes());
  out += buf;
  std::printf("%s\n", out.c_str());
  return 0;
}
