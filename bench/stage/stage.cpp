// stage_client: the load client of bench/stage (see run.sh there).
//
// One stage, two host connections (hostA, hostB) and V viewer connections (v0 … v<V-1>), every
// one a participant that has sent stage.open. Then, for each requester count R in --rounds (fresh
// viewers each round, so every requester starts OFF_STAGE):
//
//   requests   R viewers send stage.requestAccess spread evenly over --spread seconds (the send
//              time of each is recorded);
//   hosts      on every stage.stageAccessRequestUpdate a host takes the users of the list it has
//              not acted on yet and sends up to --host-batches batches of --batch: hostA
//              stage.grantAccess from the oldest end, hostB stage.denyAccess from the newest. Both
//              work from the same lists, so they race where they meet: grant/deny are all-or-nothing
//              per batch, the loser gets `conflict` (counted, expected) and its users come back in
//              a later list if still pending. (Both taking the whole list would make hostA, read
//              first by this client, win every race.)
//   measured   latency requestAccess send → the first host list that holds the user; successful
//              status changes/s (the requests themselves plus every user granted or denied);
//              every frame and byte the hosts receive from the round's first request until the
//              lists are empty and the server has been quiet for --settle seconds.
//
// Setup (connections and stage.open) is measured too: its time, frames and bytes to hosts and to
// viewers (participantJoined goes to everyone, and the stage.open reply lists every participant).
//
// Raw epoll, non-blocking sockets, the WebSocket upgrade and framing by hand (client frames
// masked). Participant tokens are minted here (HS256 with ONAIR_API_KEY / ONAIR_API_SECRET from
// the environment, the claims of the server's participant tokens). Viewer messages are classified
// from their first bytes and the rest skipped unbuffered; host messages are read whole.
//
// Prints one JSON object on stdout; progress on stderr.
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
using benchkit::processCpuSeconds;

// ---------------------------------------------------------------- options

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string stageId;
  int viewers = 10000;
  std::vector<int> rounds{1000};
  double spread = 1.0;       // seconds over which a round's requests are sent
  int batch = 25;            // userIds per grant/deny (the server takes at most 1,000)
  int hostBatches = 4;       // batches a host sends per list it receives (from its own end)
  int window = 256;          // connection handshakes (connect … stage.open reply) in flight
  int perAddr = 1000;        // connections per source address 127.0.0.2, 127.0.0.3, …
  double settle = 0.5;       // quiet seconds that end a phase
  double roundTimeout = 30;  // seconds
  double setupTimeout = 300; // seconds
  int serverPid = 0;
};

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "stage_client: %s\n", what);
  std::exit(2);
}

std::vector<int> parseList(const char* s) {
  std::vector<int> out;
  for (const char* p = s; *p;) {
    char* end = nullptr;
    long v = std::strtol(p, &end, 10);
    if (end == p || v < 1) die("--rounds takes positive counts separated by commas");
    out.push_back(static_cast<int>(v));
    p = *end == ',' ? end + 1 : end;
    if (*end && *end != ',') die("--rounds takes positive counts separated by commas");
  }
  return out;
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
    else if (a == "--stage") o.stageId = value();
    else if (a == "--viewers") o.viewers = std::atoi(value());
    else if (a == "--rounds") o.rounds = parseList(value());
    else if (a == "--spread") o.spread = std::atof(value());
    else if (a == "--batch") o.batch = std::atoi(value());
    else if (a == "--host-batches") o.hostBatches = std::atoi(value());
    else if (a == "--window") o.window = std::atoi(value());
    else if (a == "--per-addr") o.perAddr = std::atoi(value());
    else if (a == "--settle") o.settle = std::atof(value());
    else if (a == "--round-timeout") o.roundTimeout = std::atof(value());
    else if (a == "--setup-timeout") o.setupTimeout = std::atof(value());
    else if (a == "--server-pid") o.serverPid = std::atoi(value());
    else die("unknown flag (see the top of stage.cpp)");
  }
  if (o.port <= 0 || o.port > 65535) die("--port is required");
  if (o.stageId.empty()) die("--stage is required");
  if (o.viewers < 1) die("--viewers must be ≥ 1");
  if (o.batch < 1 || o.batch > 1000) die("--batch must be 1 to 1000");
  if (o.window < 1 || o.perAddr < 1) die("--window and --per-addr must be ≥ 1");
  long need = 0;
  for (int r : o.rounds) need += r;
  if (need > o.viewers) die("the rounds need more requesters than there are viewers (each round takes fresh ones)");
  if ((o.viewers + 2 + o.perAddr - 1) / o.perAddr > 250) die("too many source addresses (raise --per-addr)");
  return o;
}

// ---------------------------------------------------------------- time, percentiles

// VmRSS of another process in KiB (0 when unreadable).
long processRssKb(int pid) {
  if (pid <= 0) return 0;
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/status", pid);
  FILE* f = std::fopen(path, "r");
  if (!f) return 0;
  char line[256];
  long kb = 0;
  while (std::fgets(line, sizeof line, f))
    if (std::sscanf(line, "VmRSS: %ld kB", &kb) == 1) break;
  std::fclose(f);
  return kb;
}

// Exact percentiles over a small sample set (values in µs).
struct Samples {
  std::vector<uint64_t> v;
  void add(uint64_t us) { v.push_back(us); }
  uint64_t pct(double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    size_t rank = static_cast<size_t>(p * static_cast<double>(v.size()) + 0.999999);
    if (rank == 0) rank = 1;
    return v[std::min(rank, v.size()) - 1];
  }
  uint64_t max() { return v.empty() ? 0 : *std::max_element(v.begin(), v.end()); }
};

// ---------------------------------------------------------------- encodings

// A participant token: the claims POST /v1/stages/{id}/participant-tokens would put in it.
std::string participantToken(const std::string& key, const std::string& secret, const std::string& stageId,
                             const std::string& user, bool host, int64_t now) {
  std::string claims = R"({"iss":")" + key + R"(","aud":"onair","sub":")" + user + R"(","iat":)" + std::to_string(now) +
                       R"(,"exp":)" + std::to_string(now + 3600) + R"(,"grants":{"stage":{")" + stageId + R"(":[")" +
                       (host ? "host" : "viewer") + R"(","publish","subscribe"]}},"attributes":{"participantId":"p_)" + user +
                       R"("}})";
  std::string token = benchkit::signJwt(key, claims, secret);
  if (token.empty()) die("HMAC failed");
  return token;
}

// ---------------------------------------------------------------- per-phase counters

struct Traffic {
  uint64_t frames = 0, bytes = 0;  // bytes = WebSocket payload bytes
  std::map<std::string, std::pair<uint64_t, uint64_t>> byKind;  // event name or "reply" → (frames, bytes)
  void add(const std::string& kind, uint64_t n) {
    frames++;
    bytes += n;
    auto& k = byKind[kind];
    k.first++;
    k.second += n;
  }
};

struct PhaseStats {
  std::string name;
  Traffic hosts, viewers;
  double seconds = 0, clientCpu = 0, serverCpu = -1;
  long serverRssKb = 0;
};

// ---------------------------------------------------------------- connections

using State = benchkit::ConnState;

struct Conn : benchkit::WsConn {
  int index = 0;   // viewers 0 … V-1; hosts -1 (A) and -2 (B)
  bool host = false;
  std::string user;            // (WsConn::frag: host only)
  uint64_t skip = 0;           // viewer only: payload bytes still to drop (message already classified)
  uint64_t openSentNs = 0;
};

struct Batch {
  bool grant = false;
  std::vector<int> users;
  uint64_t sentNs = 0;
};

struct Round {
  int requesters = 0;
  int first = 0;                       // first viewer index of this round
  std::vector<uint64_t> sentNs;        // per requester: requestAccess written (0 = not yet)
  std::vector<uint64_t> seenNs;        // first time a host list held it
  std::vector<uint8_t> done;           // 1 granted, 2 denied
  std::vector<uint8_t> pendingBy[2];   // per host: in a batch in flight or acted on
  int requested = 0, requestOk = 0, granted = 0, denied = 0, handled = 0;
  std::map<std::string, uint64_t> requestErrors;
  uint64_t batchesSent[2] = {0, 0}, batchesOk[2] = {0, 0}, batchesConflict[2] = {0, 0};
  std::map<std::string, uint64_t> hostErrors;
  Samples seenLatency, hostReplyLatency;
  uint64_t t0 = 0, lastRequestSent = 0, firstHostSend = 0, lastTransition = 0;
  uint64_t updates = 0, maxUpdateBytes = 0, maxListLen = 0, listEntries = 0;
  uint64_t unknownUsersInLists = 0;
  bool active = false;
};

// conns[0] hostA, conns[1] hostB, conns[2 …] viewers; the sockets are WsClientCore's.
struct Client : benchkit::WsClientCore<Client, Conn> {
  Options opt;
  std::string key, secret;
  int nAddrs = 1;
  int64_t mintNow = 0;
  PhaseStats* phase = nullptr;
  uint64_t lastFrameNs = 0;
  std::vector<Batch> batches;  // host request id − 100 → batch
  Round* round = nullptr;
  uint64_t protocolErrors = 0;
  std::map<std::string, uint64_t> closeReasons;
  Samples openLatency;         // stage.open reply latency during setup (µs)
  uint64_t openFirst1000Us = 0, openLast1000Us = 0;

  Client() : WsClientCore("stage_client") {}

  // ---- WsClientCore hooks

  std::string connectFrame(Conn& c) {
    return R"({"id":1,"op":"connect","args":{"token":")" + participantToken(key, secret, opt.stageId, c.user, c.host, mintNow) + R"("}})";
  }
  bool onFrames(Conn& c, uint64_t now) { return c.host ? parseHostFrames(c, now) : parseViewerFrames(c, now); }
  // A viewer's frames are parsed as they come in, so its buffer stays small.
  bool onReadChunk(Conn& c, uint64_t now) { return c.host || parseViewerFrames(c, now); }
  // --per-addr: 127.0.0.2, .3, … in turn, so that 10,000+ connections do not run out of ports.
  uint32_t sourceAddress(size_t slot) { return 0x7f000002u + static_cast<uint32_t>(slot % static_cast<size_t>(nAddrs)); }

  Conn& hostConn(int h) { return conns[static_cast<size_t>(h)]; }
  Conn& viewerConn(int v) { return conns[static_cast<size_t>(v) + 2]; }

  // ---- message classification

  // The event name of `{"event":"<name>",…`, "reply" for replies, "?" otherwise.
  static std::string kindOf(std::string_view prefix) {
    static constexpr std::string_view kEvent = R"({"event":")";
    if (prefix.substr(0, kEvent.size()) == kEvent) {
      auto end = prefix.find('"', kEvent.size());
      return end == std::string_view::npos ? "event?" : std::string(prefix.substr(kEvent.size(), end - kEvent.size()));
    }
    if (prefix.substr(0, 6) == R"({"id":)") return "reply";
    return "?";
  }

  static int64_t replyId(std::string_view msg) {
    if (msg.substr(0, 6) != R"({"id":)") return -1;
    int64_t id = 0;
    size_t i = 6;
    bool digits = false;
    while (i < msg.size() && msg[i] >= '0' && msg[i] <= '9') {
      id = id * 10 + (msg[i] - '0');
      ++i;
      digits = true;
    }
    return digits ? id : -1;
  }

  static std::string errorCode(std::string_view msg) {
    static constexpr std::string_view kCode = R"("code":")";
    auto at = msg.find(kCode);
    if (at == std::string_view::npos) return "?";
    auto end = msg.find('"', at + kCode.size());
    return end == std::string_view::npos ? "?" : std::string(msg.substr(at + kCode.size(), end - at - kCode.size()));
  }

  static bool isResult(std::string_view prefix) {
    auto comma = prefix.find(',');
    return comma != std::string_view::npos && prefix.substr(comma, 10) == R"(,"result":)";
  }

  // A viewer message, from its first bytes (up to 96) and its full length.
  void onViewerMessage(Conn& c, std::string_view prefix, uint64_t len, uint64_t now) {
    std::string kind = kindOf(prefix);
    if (phase) phase->viewers.add(kind, len);
    lastFrameNs = now;
    if (kind != "reply") return;
    int64_t id = replyId(prefix);
    bool ok = isResult(prefix);
    if (id == 1) {  // connect
      if (c.state != State::Authenticating) return void(protocolErrors++);
      if (!ok) {
        setupErrors["connect: " + errorCode(prefix)]++;
        return closeConn(c);
      }
      sendOpen(c, now);
    } else if (id == 2) {  // stage.open
      if (c.state != State::Opening) return void(protocolErrors++);
      if (!ok) {
        setupErrors["stage.open: " + errorCode(prefix)]++;
        return closeConn(c);
      }
      c.state = State::Ready;
      uint64_t us = (now - c.openSentNs) / 1000;
      openLatency.add(us);
    } else if (id == 3) {  // stage.requestAccess
      Round* r = round;
      int k = r ? c.index - r->first : -1;
      if (!r || k < 0 || k >= r->requesters) return void(protocolErrors++);
      if (ok) {
        r->requestOk++;
        r->lastTransition = std::max(r->lastTransition, now);
      } else {
        // Only the first bytes are kept: the code is there when the message is short.
        r->requestErrors[errorCode(prefix)]++;
      }
    } else {
      protocolErrors++;
    }
  }

  void onHostMessage(Conn& c, std::string_view msg, uint64_t now) {
    std::string kind = kindOf(msg.substr(0, 96));
    if (phase) phase->hosts.add(kind, msg.size());
    lastFrameNs = now;
    int h = c.index == -1 ? 0 : 1;
    if (kind == "reply") {
      int64_t id = replyId(msg);
      bool ok = isResult(msg.substr(0, 96));
      if (id == 1) {
        if (!ok) {
          setupErrors["host connect: " + errorCode(msg)]++;
          return closeConn(c);
        }
        return sendOpen(c, now);
      }
      if (id == 2) {
        if (!ok) {
          setupErrors["host stage.open: " + errorCode(msg)]++;
          return closeConn(c);
        }
        c.state = State::Ready;
        return;
      }
      if (id < 100 || static_cast<size_t>(id - 100) >= batches.size() || !round) return void(protocolErrors++);
      Batch& b = batches[static_cast<size_t>(id - 100)];
      Round& r = *round;
      r.hostReplyLatency.add((now - b.sentNs) / 1000);
      if (ok) {
        r.batchesOk[h]++;
        for (int k : b.users) {
          if (r.done[k]) protocolErrors++;  // the server let two hosts act on one request
          r.done[k] = b.grant ? 1 : 2;
          (b.grant ? r.granted : r.denied)++;
          r.handled++;
        }
        r.lastTransition = std::max(r.lastTransition, now);
      } else {
        std::string code = errorCode(msg);
        if (code == "conflict") r.batchesConflict[h]++;
        else r.hostErrors[code]++;
        for (int k : b.users) r.pendingBy[h][k] = 0;  // may be retried if a later list still holds it
      }
      return;
    }
    if (kind == "stage.stageAccessRequestUpdate" && round) onRequestList(h, c, msg, now);
  }

  // A host's request list: first sightings, then the host acts on what it has not acted on yet.
  void onRequestList(int h, Conn& c, std::string_view msg, uint64_t now) {
    Round& r = *round;
    r.updates++;
    r.maxUpdateBytes = std::max<uint64_t>(r.maxUpdateBytes, msg.size());
    static constexpr std::string_view kUser = R"("userId":")";
    std::vector<int> fresh;
    uint64_t listLen = 0;
    for (size_t at = msg.find(kUser); at != std::string_view::npos; at = msg.find(kUser, at + 1)) {
      size_t p = at + kUser.size();
      listLen++;
      if (p >= msg.size() || msg[p] != 'v') {
        r.unknownUsersInLists++;
        continue;
      }
      int v = 0;
      ++p;
      while (p < msg.size() && msg[p] >= '0' && msg[p] <= '9') v = v * 10 + (msg[p++] - '0');
      int k = v - r.first;
      if (k < 0 || k >= r.requesters) {
        r.unknownUsersInLists++;
        continue;
      }
      if (!r.seenNs[k]) {
        r.seenNs[k] = now;
        if (r.sentNs[k]) r.seenLatency.add((now - r.sentNs[k]) / 1000);
      }
      if (!r.done[k] && !r.pendingBy[h][k]) fresh.push_back(k);
    }
    r.listEntries += listLen;
    if (h == 1) std::reverse(fresh.begin(), fresh.end());
    fresh.resize(std::min(fresh.size(), static_cast<size_t>(opt.batch) * static_cast<size_t>(opt.hostBatches)));
    r.maxListLen = std::max(r.maxListLen, listLen);
    for (size_t i = 0; i < fresh.size(); i += static_cast<size_t>(opt.batch)) {
      Batch b;
      b.grant = h == 0;
      b.sentNs = now;
      std::string ids;
      for (size_t j = i; j < std::min(fresh.size(), i + static_cast<size_t>(opt.batch)); ++j) {
        int k = fresh[j];
        r.pendingBy[h][k] = 1;
        b.users.push_back(k);
        if (!ids.empty()) ids += ',';
        ids += "\"v" + std::to_string(r.first + k) + "\"";
      }
      size_t id = 100 + batches.size();
      batches.push_back(std::move(b));
      std::string req = "{\"id\":" + std::to_string(id) + ",\"op\":\"stage." + (h == 0 ? "grantAccess" : "denyAccess") +
                        "\",\"args\":{\"stageId\":\"" + opt.stageId + "\",\"userIds\":[" + ids + "]}}";
      sendText(c, req);
      r.batchesSent[h]++;
      if (!r.firstHostSend) r.firstHostSend = now;
    }
  }

  // ---- frames

  // Host connections: whole messages (fragments reassembled).
  bool parseHostFrames(Conn& c, uint64_t now) {
    return readMessages(
        c, [&](Conn& conn, std::string_view msg) { onHostMessage(conn, msg, now); },
        [&](Conn& conn, std::string_view payload) { noteClose(conn, payload); });
  }

  // Viewer connections: a message is classified from its first bytes, the rest is dropped as it
  // arrives (stage.open replies grow with the participant count). Fragmented messages are
  // classified from their first fragment.
  bool parseViewerFrames(Conn& c, uint64_t now) {
    size_t pos = 0;
    std::string& in = c.in;
    if (c.skip) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(c.skip, in.size()));
      c.skip -= n;
      pos = n;
    }
    while (auto h = benchkit::readServerFrameHeader(std::string_view(in).substr(pos))) {
      const uint8_t opcode = h->opcode;
      const uint64_t len = h->length;
      const size_t hdr = h->size;
      if (h->masked) return false;
      size_t have = in.size() - pos - hdr;
      uint64_t need = std::min<uint64_t>(len, 96);
      if (have < need) break;
      std::string_view prefix(in.data() + pos + hdr, static_cast<size_t>(need));
      if (opcode == 0x1 || opcode == 0x2) {
        onViewerMessage(c, prefix, len, now);
      } else if (opcode == 0x0) {
        if (phase) phase->viewers.bytes += len;  // a continuation: bytes of the message counted already
      } else if (opcode == 0x8) {
        if (have >= len) noteClose(c, std::string_view(in.data() + pos + hdr, len));
        return false;
      } else if (opcode == 0x9) {
        if (have < len) break;
        sendText(c, std::string_view(in.data() + pos + hdr, len), 0xA);
      }
      if (c.state == State::Dead) return false;
      if (have >= len) {
        pos += hdr + len;
      } else {
        c.skip = len - have;
        pos = in.size();
        break;
      }
    }
    in.erase(0, pos);
    return true;
  }

  void noteClose(Conn& c, std::string_view payload) {
    int code = payload.size() >= 2 ? (uint8_t(payload[0]) << 8) | uint8_t(payload[1]) : 0;
    std::string why = std::to_string(code);
    if (payload.size() > 2) why += " " + std::string(payload.substr(2, 80));
    closeReasons[(c.host ? "host: " : "viewer: ") + why]++;
  }

  // ---- connections

  void sendOpen(Conn& c, uint64_t now) {
    c.state = State::Opening;
    c.openSentNs = now;
    sendText(c, R"({"id":2,"op":"stage.open","args":{"stageId":")" + opt.stageId + R"("}})");
  }

  void pump(int timeoutUs) {
    flushDirty();
    pollOnce(timeoutUs);
    flushDirty();
  }

  // Runs until the server has sent nothing for `quiet` seconds (or `max` seconds passed).
  void settle(double quiet, double max) {
    uint64_t until = nowNs() + static_cast<uint64_t>(max * 1e9);
    lastFrameNs = nowNs();
    while (nowNs() < until && nowNs() - lastFrameNs < static_cast<uint64_t>(quiet * 1e9)) pump(1000);
  }

  // ---- phases

  struct Mark {
    uint64_t t;
    double cpu, server;
  };
  Mark mark() { return {nowNs(), cpuSeconds(), processCpuSeconds(opt.serverPid)}; }
  void close(PhaseStats& p, const Mark& m) {
    p.seconds = static_cast<double>(nowNs() - m.t) / 1e9;
    p.clientCpu = (cpuSeconds() - m.cpu) / p.seconds * 100;
    if (opt.serverPid > 0) {
      p.serverCpu = (processCpuSeconds(opt.serverPid) - m.server) / p.seconds * 100;
      p.serverRssKb = processRssKb(opt.serverPid);
    }
  }

  size_t countState(size_t from, State s) const {
    size_t n = 0;
    for (size_t i = from; i < conns.size(); ++i) n += conns[i].state == s;
    return n;
  }

  // Hosts first (so they see every participantJoined), then the viewers, `window` at a time.
  bool setupComplete = false;
  bool setup(PhaseStats& ps) {
    host = opt.host;
    port = opt.port;
    mintNow = time(nullptr);
    conns.resize(static_cast<size_t>(opt.viewers) + 2);
    nAddrs = (opt.viewers + 2 + opt.perAddr - 1) / opt.perAddr;
    for (size_t i = 0; i < conns.size(); ++i) {
      Conn& c = conns[i];
      c.host = i < 2;
      c.index = i == 0 ? -1 : i == 1 ? -2 : static_cast<int>(i) - 2;
      c.user = i == 0 ? "hostA" : i == 1 ? "hostB" : "v" + std::to_string(i - 2);
    }
    phase = &ps;
    Mark m = mark();
    uint64_t deadline = nowNs() + static_cast<uint64_t>(opt.setupTimeout * 1e9);
    startConnect(conns[0]);
    startConnect(conns[1]);
    size_t next = 2, lastReport = 0;
    uint64_t lastReportNs = nowNs();
    while (nowNs() < deadline) {
      pump(1000);
      if (conns[0].state == State::Dead || conns[1].state == State::Dead) {
        std::fprintf(stderr, "stage_client: a host connection failed\n");
        return false;
      }
      if (conns[0].state != State::Ready || conns[1].state != State::Ready) continue;
      size_t pending = 0, ready = 0, dead = 0;
      for (size_t i = 2; i < next; ++i) {
        State s = conns[i].state;
        ready += s == State::Ready;
        dead += s == State::Dead;
      }
      pending = next - 2 - ready - dead;
      while (next < conns.size() && pending < static_cast<size_t>(opt.window)) {
        startConnect(conns[next++]);
        pending++;
      }
      if (ready >= lastReport + 1000 || nowNs() - lastReportNs > 5'000'000'000ull) {
        std::fprintf(stderr, "stage_client: setup %6.1f s: %zu viewers on the stage, %zu failed, server RSS %ld MiB\n",
                     static_cast<double>(nowNs() - m.t) / 1e9, ready, dead, processRssKb(opt.serverPid) / 1024);
        lastReport = ready;
        lastReportNs = nowNs();
      }
      if (next == conns.size() && pending == 0) {
        // The participantJoined fan-out of the last opens may still be on its way.
        settle(opt.settle, 30);
        close(ps, m);
        std::fprintf(stderr, "stage_client: setup done in %.1f s: %zu viewers on the stage, %zu failed\n", ps.seconds, ready, dead);
        setupComplete = dead == 0;
        connected = ready;
        return dead == 0;
      }
    }
    // Out of time: no new connections; the handshakes under way may finish (30 s at most), and
    // the rounds run with the viewers that made it (when there are enough).
    std::fprintf(stderr, "stage_client: setup budget of %.0f s spent with %zu of %d viewers on the stage; finishing the %zu handshakes under way\n",
                 opt.setupTimeout, countState(2, State::Ready), opt.viewers,
                 next - 2 - countState(2, State::Ready) - countState(2, State::Dead));
    uint64_t grace = nowNs() + 30'000'000'000ull;
    for (;;) {
      size_t busy = 0;
      for (size_t i = 2; i < next; ++i) busy += conns[i].state != State::Ready && conns[i].state != State::Dead;
      if (busy == 0 || nowNs() > grace) break;
      pump(1000);
    }
    settle(opt.settle, 30);
    close(ps, m);
    size_t ready = countState(2, State::Ready);
    connected = ready;
    std::fprintf(stderr, "stage_client: setup stopped after %.1f s: %zu of %d viewers on the stage\n", ps.seconds, ready, opt.viewers);
    long need = 0;
    for (int r : opt.rounds) need += r;
    return static_cast<long>(ready) >= need && countState(2, State::Dead) == 0;
  }
  size_t connected = 0;

  void runRound(Round& r, PhaseStats& ps) {
    round = &r;
    phase = &ps;
    r.sentNs.assign(static_cast<size_t>(r.requesters), 0);
    r.seenNs.assign(static_cast<size_t>(r.requesters), 0);
    r.done.assign(static_cast<size_t>(r.requesters), 0);
    r.pendingBy[0].assign(static_cast<size_t>(r.requesters), 0);
    r.pendingBy[1].assign(static_cast<size_t>(r.requesters), 0);
    Mark m = mark();
    r.t0 = m.t;
    uint64_t deadline = r.t0 + static_cast<uint64_t>(opt.roundTimeout * 1e9);
    const double gapNs = opt.spread * 1e9 / r.requesters;
    std::string req = R"({"id":3,"op":"stage.requestAccess","args":{"stageId":")" + opt.stageId + R"("}})";
    while (nowNs() < deadline) {
      uint64_t now = nowNs();
      while (r.requested < r.requesters && static_cast<double>(now - r.t0) >= r.requested * gapNs) {
        Conn& c = viewerConn(r.first + r.requested);
        if (c.state == State::Ready) {
          sendText(c, req);
          r.sentNs[static_cast<size_t>(r.requested)] = now;
          r.lastRequestSent = now;
        }
        r.requested++;
      }
      pump(r.requested < r.requesters ? 100 : 1000);
      // Done: every request answered, and every accepted one granted or denied.
      if (r.requested == r.requesters && r.requestOk + static_cast<int>(countErrors(r.requestErrors)) == r.requesters &&
          r.handled >= r.requestOk) {
        break;
      }
    }
    // The last list update (empty) and any straggling events.
    settle(opt.settle, 10);
    close(ps, m);
    round = nullptr;
  }

  static uint64_t countErrors(const std::map<std::string, uint64_t>& m) {
    uint64_t n = 0;
    for (const auto& [k, v] : m) n += v;
    return n;
  }
};

// ---------------------------------------------------------------- JSON output

std::string esc(const std::string& s) {
  std::string o;
  for (char ch : s) {
    if (ch == '"' || ch == '\\') o += '\\';
    if (static_cast<unsigned char>(ch) < 0x20) continue;
    o += ch;
  }
  return o;
}

std::string mapJson(const std::map<std::string, uint64_t>& m) {
  std::string j = "{";
  for (const auto& [k, v] : m) j += (j.size() > 1 ? ",\"" : "\"") + esc(k) + "\":" + std::to_string(v);
  return j + "}";
}

std::string trafficJson(const Traffic& t) {
  std::string j = "{\"frames\":" + std::to_string(t.frames) + ",\"bytes\":" + std::to_string(t.bytes) + ",\"by_kind\":{";
  bool first = true;
  for (const auto& [k, v] : t.byKind) {
    j += (first ? "\"" : ",\"") + esc(k) + "\":{\"frames\":" + std::to_string(v.first) + ",\"bytes\":" + std::to_string(v.second) + "}";
    first = false;
  }
  return j + "}}";
}

std::string phaseJson(const PhaseStats& p) {
  char buf[256];
  std::snprintf(buf, sizeof buf, R"("seconds":%.3f,"client_cpu_pct":%.1f,"server_cpu_pct":%.1f,"server_rss_kb":%ld,)", p.seconds,
                p.clientCpu, p.serverCpu, p.serverRssKb);
  return std::string(buf) + "\"to_hosts\":" + trafficJson(p.hosts) + ",\"to_viewers\":" + trafficJson(p.viewers);
}

}  // namespace

int main(int argc, char** argv) {
  Client cl;
  cl.opt = parseArgs(argc, argv);
  const Options& o = cl.opt;
  const char* key = std::getenv("ONAIR_API_KEY");
  const char* secret = std::getenv("ONAIR_API_SECRET");
  if (!key || !secret) die("set ONAIR_API_KEY and ONAIR_API_SECRET (the server's) in the environment");
  cl.key = key;
  cl.secret = secret;
  if (benchkit::raiseFdLimit() < static_cast<rlim_t>(o.viewers) + 64) die("the open file limit is below the connection count (raise the hard limit)");

  std::fprintf(stderr, "stage_client: stage %s, 2 hosts + %d viewers from %d source addresses, port %d\n", o.stageId.c_str(), o.viewers,
               (o.viewers + 2 + o.perAddr - 1) / o.perAddr, o.port);
  PhaseStats setupStats;
  setupStats.name = "setup";
  bool ok = cl.setup(setupStats);
  std::string out = "{\"viewers\":" + std::to_string(o.viewers) + ",\"batch\":" + std::to_string(o.batch) +
                    ",\"spread_s\":" + std::to_string(o.spread) + ",\"source_addresses\":" + std::to_string(cl.nAddrs) + ",";
  out += "\"setup\":{" + phaseJson(setupStats) + ",\"ok\":" + (ok ? "true" : "false") +
         ",\"complete\":" + (cl.setupComplete ? "true" : "false") + ",\"setup_budget_s\":" + std::to_string(o.setupTimeout) +
         ",\"viewers_ready\":" + std::to_string(cl.countState(2, State::Ready)) + ",\"errors\":" + mapJson(cl.setupErrors);
  {
    char buf[256];
    Samples& s = cl.openLatency;
    std::snprintf(buf, sizeof buf, R"(,"open_p50_us":%llu,"open_p99_us":%llu,"open_max_us":%llu})",
                  static_cast<unsigned long long>(s.pct(0.5)), static_cast<unsigned long long>(s.pct(0.99)),
                  static_cast<unsigned long long>(s.max()));
    out += buf;
  }
  out += ",\"rounds\":[";
  if (ok) {
    int first = 0;
    bool firstRound = true;
    for (int requesters : o.rounds) {
      Round r;
      r.requesters = requesters;
      r.first = first;
      first += requesters;
      PhaseStats ps;
      ps.name = "round " + std::to_string(requesters);
      cl.settle(o.settle, 10);  // a quiet server before each round
      std::fprintf(stderr, "stage_client: round: %d requesters (v%d … v%d) over %.1f s\n", requesters, r.first, r.first + requesters - 1, o.spread);
      cl.runRound(r, ps);
      uint64_t end = r.lastTransition ? r.lastTransition : nowNs();
      double window = static_cast<double>(end - r.t0) / 1e9;
      int transitions = r.requestOk + r.granted + r.denied;
      double hostWindow = r.firstHostSend && r.lastTransition > r.firstHostSend ? static_cast<double>(r.lastTransition - r.firstHostSend) / 1e9 : 0;
      int neverSeen = 0;
      for (int k = 0; k < r.requesters; ++k) neverSeen += r.sentNs[static_cast<size_t>(k)] && !r.seenNs[static_cast<size_t>(k)];
      std::fprintf(stderr, "stage_client:   %d transitions in %.3f s (%.0f/s); host saw p50 %.1f ms p99 %.1f ms; %llu frames to hosts\n", transitions,
                   window, transitions / window, r.seenLatency.pct(0.5) / 1e3, r.seenLatency.pct(0.99) / 1e3,
                   static_cast<unsigned long long>(ps.hosts.frames));
      char buf[2048];
      std::snprintf(buf, sizeof buf,
                    R"({"requesters":%d,"requests_sent":%d,"requests_ok":%d,"request_errors":%s,"granted":%d,"denied":%d,"left_pending":%d,)"
                    R"("never_seen_by_a_host":%d,"transitions":%d,"window_s":%.3f,"transitions_per_s":%.0f,)"
                    R"("host_window_s":%.3f,"host_transitions_per_s":%.0f,"request_send_s":%.3f,)"
                    R"("seen_p50_us":%llu,"seen_p90_us":%llu,"seen_p99_us":%llu,"seen_max_us":%llu,)"
                    R"("host_reply_p50_us":%llu,"host_reply_p99_us":%llu,)"
                    R"("batches":{"grant":{"sent":%llu,"ok":%llu,"conflict":%llu},"deny":{"sent":%llu,"ok":%llu,"conflict":%llu}},"host_errors":%s,)"
                    R"("list_updates":%llu,"list_entries":%llu,"max_list_len":%llu,"max_update_bytes":%llu,"unknown_users_in_lists":%llu,)",
                    requesters, r.requested, r.requestOk, mapJson(r.requestErrors).c_str(), r.granted, r.denied,
                    r.requestOk - r.granted - r.denied, neverSeen, transitions, window, transitions / window, hostWindow,
                    hostWindow > 0 ? (r.granted + r.denied) / hostWindow : 0.0,
                    r.lastRequestSent ? static_cast<double>(r.lastRequestSent - r.t0) / 1e9 : 0.0,
                    static_cast<unsigned long long>(r.seenLatency.pct(0.5)), static_cast<unsigned long long>(r.seenLatency.pct(0.9)),
                    static_cast<unsigned long long>(r.seenLatency.pct(0.99)), static_cast<unsigned long long>(r.seenLatency.max()),
                    static_cast<unsigned long long>(r.hostReplyLatency.pct(0.5)), static_cast<unsigned long long>(r.hostReplyLatency.pct(0.99)),
                    static_cast<unsigned long long>(r.batchesSent[0]), static_cast<unsigned long long>(r.batchesOk[0]),
                    static_cast<unsigned long long>(r.batchesConflict[0]), static_cast<unsigned long long>(r.batchesSent[1]),
                    static_cast<unsigned long long>(r.batchesOk[1]), static_cast<unsigned long long>(r.batchesConflict[1]),
                    mapJson(r.hostErrors).c_str(), static_cast<unsigned long long>(r.updates), static_cast<unsigned long long>(r.listEntries),
                    static_cast<unsigned long long>(r.maxListLen), static_cast<unsigned long long>(r.maxUpdateBytes),
                    static_cast<unsigned long long>(r.unknownUsersInLists));
      out += (firstRound ? "" : ",") + std::string(buf) + phaseJson(ps) + "}";
      firstRound = false;
    }
  }
  out += "],\"viewers_ready_at_end\":" + std::to_string(cl.countState(2, State::Ready)) +
         ",\"hosts_ready_at_end\":" + std::to_string((cl.conns.size() > 1 && cl.conns[0].state == State::Ready) + (cl.conns.size() > 1 && cl.conns[1].state == State::Ready)) +
         ",\"closed_conns\":" + std::to_string(cl.closedReady) + ",\"close_reasons\":" + mapJson(cl.closeReasons) +
         ",\"protocol_errors\":" + std::to_string(cl.protocolErrors) + "}";
  std::printf("%s\n", out.c_str());
  return ok ? 0 : 1;
}
