// sfu_load: the SFU benchmark's load tool. One publisher sends a synthetic VP8-shaped video stream
// (~1.5 Mbit/s, 30 fps, packets of at most 1200 bytes, a keyframe burst every 2 s) and an
// Opus-sized audio stream (50 packets/s of ~100 bytes); N subscribers receive both. Every peer
// connection is an rtc::client::ClientTransport (ICE, DTLS, SRTP) with its own UDP socket.
// Subscribers read the RTP header (which SRTP leaves in the clear; they do not decrypt, so the
// tool's core goes to moving packets) and check sequence continuity per SSRC.
//
// The subscriber count ramps through --steps; each step waits for every subscriber to receive
// video, settles, then measures --seconds: forwarded packets/s (received by all subscribers),
// loss (sequence gaps / (received + gaps)), the server's CPU (/proc/<pid>/stat, --server-pid) and
// RSS, the tool's own CPU. The ramp stops after the first step whose loss exceeds --max-loss or
// that leaves a subscriber silent. One JSON object on stdout; progress on stderr.
//
// Targets (--target):
//   ceiling  sfu_ceiling's TCP signaling (CeilingWire.hpp)
//   onair    GET <path> WebSocket, connect with --token, streams.createStreamRoom /
//            joinStreamRoom / publish (publisher) and joinStreamRoom / subscribe (each subscriber
//            on its own connection, as a browser tab would be)
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "../common/BenchKit.hpp"
#include "CeilingWire.hpp"
#include "rtc/client/AnswerReader.hpp"
#include "rtc/client/ClientTransport.hpp"
#include "rtc/client/OfferWriter.hpp"
#include "rtc/dtls/DtlsCertificate.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace json = boost::json;
using asio::ip::tcp;
using namespace onair::rtc;
using namespace onair::rtc::client;
using namespace std::chrono_literals;

namespace {

struct Options {
  std::string target = "ceiling";
  uint16_t port = 0;
  std::string path = "/v1/connect";
  std::string token;
  int serverPid = 0;
  std::vector<size_t> steps = {50, 100, 200, 300, 400, 500, 600, 700, 800, 1000};
  double seconds = 5;
  double settle = 1;
  double maxLoss = 0.001;
  double videoKbps = 1500;
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "sfu_load: %s\n", what.c_str());
  std::exit(1);
}

constexpr uint32_t kAudioSsrc = 0x0A0D1001, kVideoSsrc = 0x0B1DE001;
constexpr size_t kMaxPacketBytes = 1200;

// ---- signaling: one Session per peer connection, held open for the run ------------------------

class Session {
 public:
  virtual ~Session() = default;
  // The answer to `offer`; throws on failure.
  virtual asio::awaitable<std::string> publish(const std::string& offer) = 0;
  virtual asio::awaitable<std::string> subscribe(const std::string& offer) = 0;
};

class CeilingSession final : public Session {
 public:
  explicit CeilingSession(asio::io_context& io, uint16_t port) : socket_(io), port_(port) {}
  asio::awaitable<std::string> publish(const std::string& offer) override { return exchange("publish", offer); }
  asio::awaitable<std::string> subscribe(const std::string& offer) override { return exchange("subscribe", offer); }

 private:
  asio::awaitable<std::string> exchange(std::string role, std::string offer) {
    co_await socket_.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), asio::use_awaitable);
    co_await sfubench::writeFrame(socket_, role, offer);
    auto [word, body] = co_await sfubench::readFrame(socket_, buffer_);
    if (word == "error") throw std::runtime_error("ceiling refused the offer: " + body);
    co_return body;
  }
  tcp::socket socket_;
  uint16_t port_;
  asio::streambuf buffer_;
};

// Request arguments, built outside the coroutines (GCC 12 miscompiles brace-initialized
// string literals inside a coroutine body: "array used as initializer").
const std::string kConnect = "connect", kCreate = "streams.createStreamRoom", kJoin = "streams.joinStreamRoom",
                  kPublish = "streams.publish", kSubscribe = "streams.subscribe";
std::string requestText(int64_t id, const std::string& op, json::object args) {
  json::object r;
  r["id"] = id;
  r["op"] = op;
  r["args"] = std::move(args);
  return json::serialize(r);
}
json::object connectArgs(const std::string& token) { return {{"token", token}}; }
json::object createArgs() {
  return {{"contextId", "sfu-bench"}, {"users", json::array{"bench"}}, {"managers", json::array{"bench"}}};
}
json::object joinArgs(const std::string& room) { return {{"streamRoomId", room}}; }
json::object publishArgs(const std::string& room, const std::string& offer) {
  json::array tracks{json::object{{"mid", "0"}, {"trackId", "audio"}, {"kind", "audio"}},
                     json::object{{"mid", "1"}, {"trackId", "video"}, {"kind", "video"}}};
  return {{"streamRoomId", room}, {"sdp", offer}, {"tracks", std::move(tracks)}};
}

// onair's WebSocket protocol: requests answered by id; events and anything else skipped. After
// the exchange a read loop keeps draining (events, pings) until the run ends.
class OnairSession final : public Session {
 public:
  struct Room {
    std::string streamRoomId;
    std::string streamId;  // set once the publisher has published
  };
  OnairSession(asio::io_context& io, const Options& options, Room& room) : ws_(io), options_(options), room_(room) {}

  asio::awaitable<std::string> publish(const std::string& offer) override {
    co_await open();
    if (room_.streamRoomId.empty()) {
      const json::value created = co_await request(kCreate, createArgs());
      room_.streamRoomId = json::value_to<std::string>(created.at("streamRoomId"));
    }
    co_await request(kJoin, joinArgs(room_.streamRoomId));
    const json::value result = co_await request(kPublish, publishArgs(room_.streamRoomId, offer));
    room_.streamId = json::value_to<std::string>(result.at("streamId"));
    drain();
    co_return json::value_to<std::string>(result.at("sdp"));
  }

  asio::awaitable<std::string> subscribe(const std::string& offer) override {
    co_await open();
    co_await request(kJoin, joinArgs(room_.streamRoomId));
    const json::value result = co_await request(kSubscribe, subscribeArgs(offer));
    drain();
    co_return json::value_to<std::string>(result.at("sdp"));
  }

 private:
  json::object subscribeArgs(const std::string& offer) const {
    json::array subscriptions{json::object{{"mid", "0"}, {"streamId", room_.streamId}, {"trackId", "audio"}},
                              json::object{{"mid", "1"}, {"streamId", room_.streamId}, {"trackId", "video"}}};
    return {{"streamRoomId", room_.streamRoomId}, {"sdp", offer}, {"subscriptions", std::move(subscriptions)}};
  }

  asio::awaitable<void> open() {
    co_await beast::get_lowest_layer(ws_).async_connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), options_.port), asio::use_awaitable);
    beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true));
    co_await ws_.async_handshake("127.0.0.1:" + std::to_string(options_.port), options_.path, asio::use_awaitable);
    co_await request(kConnect, connectArgs(options_.token));
  }

  asio::awaitable<json::value> request(const std::string& op, json::object args) {
    const int64_t id = nextId_++;
    const std::string text = requestText(id, op, std::move(args));
    co_await ws_.async_write(asio::buffer(text), asio::use_awaitable);
    for (;;) {
      beast::flat_buffer buffer;
      co_await ws_.async_read(buffer, asio::use_awaitable);
      const json::value reply = json::parse(beast::buffers_to_string(buffer.data()));
      const json::object& o = reply.as_object();
      if (!o.contains("id") || !o.at("id").is_int64() || o.at("id").as_int64() != id) continue;
      if (o.contains("error")) throw std::runtime_error(op + ": " + json::serialize(o.at("error")));
      co_return o.at("result");
    }
  }

  // Reads and drops whatever comes (events; Beast answers pings while reading) until closed.
  void drain() {
    asio::co_spawn(ws_.get_executor(), [this]() -> asio::awaitable<void> {
      beast::flat_buffer buffer;
      for (;;) {
        buffer.clear();
        co_await ws_.async_read(buffer, asio::use_awaitable);
      }
    }, asio::detached);
  }

  beast::websocket::stream<beast::tcp_stream> ws_;
  const Options& options_;
  Room& room_;
  int64_t nextId_ = 1;
};

// ---- media -----------------------------------------------------------------------------------

// Writes one RTP packet (RFC 3550 §5.1) with a one-byte-header extension block (RFC 8285) holding
// the mid, into `out`; returns its length.
size_t writeRtp(std::vector<uint8_t>& out, uint8_t pt, bool marker, uint16_t seq, uint32_t ts, uint32_t ssrc,
                char mid, size_t payloadBytes) {
  out.assign(12 + 8 + payloadBytes, 0);
  out[0] = 0x90;  // V=2, X=1
  out[1] = static_cast<uint8_t>((marker ? 0x80 : 0) | pt);
  out[2] = uint8_t(seq >> 8), out[3] = uint8_t(seq);
  for (int i = 0; i < 4; ++i) out[4 + i] = uint8_t(ts >> (24 - 8 * i)), out[8 + i] = uint8_t(ssrc >> (24 - 8 * i));
  out[12] = 0xBE, out[13] = 0xDE, out[14] = 0, out[15] = 1;  // one 32-bit word of extensions
  out[16] = static_cast<uint8_t>(OfferWriter::kMidExtensionId << 4);  // id, length 1 (L=0)
  out[17] = static_cast<uint8_t>(mid);
  return out.size();
}

struct Publisher final : ClientTransport::Listener {
  std::unique_ptr<ClientTransport> transport;
  bool connected = false;
  std::string failure;
  uint64_t packets = 0, bytes = 0;
  void OnClientTransportConnected(ClientTransport&) override { connected = true; }
  void OnClientTransportRtp(ClientTransport&, std::span<uint8_t>) override {}
  void OnClientTransportRtcp(ClientTransport&, std::span<uint8_t>) override {}  // PLIs: keyframes come every 2 s anyway
  void OnClientTransportFailed(ClientTransport&, std::string_view reason) override { failure = reason; }
};

// Paces the two streams from a 5 ms timer: everything due by now is sent.
class MediaSource {
 public:
  MediaSource(asio::io_context& io, Publisher& publisher, double videoKbps)
      : timer_(io), publisher_(publisher), rng_(13) {
    // Per 2 s (60 frames): one keyframe of 8 delta frames' size and 59 delta frames.
    const double bytesPer2s = videoKbps * 1000 / 8 * 2;
    deltaBytes_ = bytesPer2s / (8 + 59);
  }
  void start() {
    start_ = std::chrono::steady_clock::now();
    tick();
  }

 private:
  void tick() {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    while (audioFrames_ * 0.020 <= elapsed) sendAudio();
    while (videoFrames_ / 30.0 <= elapsed) sendVideo();
    timer_.expires_after(5ms);
    timer_.async_wait([this](boost::system::error_code e) {
      if (!e) tick();
    });
  }
  void send(size_t length) {
    if (publisher_.transport->sendRtp(std::span(packet_.data(), length))) {
      ++publisher_.packets;
      publisher_.bytes += length;
    }
  }
  void sendAudio() {
    std::uniform_int_distribution<size_t> size(80, 120);
    send(writeRtp(packet_, OfferWriter::kOpusPayloadType, false, audioSeq_++, uint32_t(audioFrames_ * 960), kAudioSsrc, '0',
                  size(rng_)));
    ++audioFrames_;
  }
  void sendVideo() {
    const bool key = videoFrames_ % 60 == 0;
    std::uniform_real_distribution<double> jitter(0.7, 1.3);
    const size_t frameBytes = static_cast<size_t>(key ? deltaBytes_ * 8 : deltaBytes_ * jitter(rng_));
    const size_t perPacket = kMaxPacketBytes - 12 - 8;  // header, extension block
    const size_t count = (frameBytes + perPacket - 1) / perPacket;
    const uint32_t ts = uint32_t(videoFrames_ * 3000);
    for (size_t i = 0; i < count; ++i) {
      const size_t payload = std::max<size_t>(frameBytes / count, 16);
      const size_t length = writeRtp(packet_, OfferWriter::kVp8PayloadType, i + 1 == count, videoSeq_++, ts, kVideoSsrc, '1', payload);
      uint8_t* vp8 = packet_.data() + 20;
      vp8[0] = i == 0 ? 0x10 : 0x00;  // VP8 payload descriptor (RFC 7741 §4.2): S on the first packet, PID 0
      if (i == 0) {
        // VP8 payload header (RFC 6386 §9.1): P = 0 on a keyframe, show_frame; a keyframe's start code and 1280x720.
        vp8[1] = key ? 0x10 : 0x11;
        const uint8_t keyHeader[] = {0x9d, 0x01, 0x2a, 0x00, 0x05, 0xd0, 0x02};
        if (key) std::memcpy(vp8 + 4, keyHeader, sizeof keyHeader);
      }
      send(length);
    }
    ++videoFrames_;
  }

  asio::steady_timer timer_;
  Publisher& publisher_;
  std::mt19937 rng_;
  double deltaBytes_ = 0;
  std::chrono::steady_clock::time_point start_;
  uint64_t audioFrames_ = 0, videoFrames_ = 0;
  uint16_t audioSeq_ = 1000, videoSeq_ = 50000;  // video wraps within the first minute
  std::vector<uint8_t> packet_;
};

// Sequence continuity per SSRC: gaps count as lost; a late packet (reordered) takes one back.
struct Subscriber final : ClientTransport::Listener {
  struct Stream {
    uint32_t ssrc = 0;
    uint16_t lastSeq = 0;
    uint64_t received = 0;
  };
  std::unique_ptr<Session> session;
  std::unique_ptr<ClientTransport> transport;
  bool connected = false;
  std::string failure;
  Stream streams[4];
  size_t streamCount = 0;
  uint64_t packets = 0, bytes = 0, lost = 0, videoPackets = 0;

  void OnClientTransportConnected(ClientTransport&) override { connected = true; }
  void OnClientTransportRtcp(ClientTransport&, std::span<uint8_t>) override {}
  void OnClientTransportFailed(ClientTransport&, std::string_view reason) override { failure = reason; }
  void OnClientTransportRtp(ClientTransport&, std::span<uint8_t> p) override {
    if (p.size() < 12) return;
    const uint16_t seq = uint16_t(p[2] << 8 | p[3]);
    const uint32_t ssrc = uint32_t(p[8]) << 24 | uint32_t(p[9]) << 16 | uint32_t(p[10]) << 8 | p[11];
    ++packets;
    bytes += p.size();
    if ((p[1] & 0x7f) == OfferWriter::kVp8PayloadType) ++videoPackets;
    Stream* s = find(ssrc);
    if (!s) return;
    if (s->received++ == 0) {
      s->lastSeq = seq;
      return;
    }
    const uint16_t ahead = uint16_t(seq - s->lastSeq);
    if (ahead == 0) return;
    if (ahead < 0x8000) {
      lost += ahead - 1u;
      s->lastSeq = seq;
    } else if (lost > 0) {
      --lost;  // arrived after a later one: it was counted lost
    }
  }
  Stream* find(uint32_t ssrc) {
    for (size_t i = 0; i < streamCount; ++i) {
      if (streams[i].ssrc == ssrc) return &streams[i];
    }
    if (streamCount == std::size(streams)) return nullptr;
    streams[streamCount].ssrc = ssrc;
    return &streams[streamCount++];
  }
};

long rssKb(int pid) {
  if (pid <= 0) return 0;
  FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/status").c_str(), "r");
  if (!f) return 0;
  char line[256];
  long kb = 0;
  while (std::fgets(line, sizeof line, f)) {
    if (std::strncmp(line, "VmRSS:", 6) == 0) kb = std::atol(line + 6);
  }
  std::fclose(f);
  return kb;
}

// ---- the run ---------------------------------------------------------------------------------

class Run {
 public:
  Run(asio::io_context& io, Options options)
      : io_(io), options_(std::move(options)),
        context_(std::make_shared<dtls::DtlsContext>(dtls::DtlsCertificate::generate())) {}

  asio::awaitable<void> main() {
    try {
      co_await startPublisher();
      baseRss_ = rssKb(options_.serverPid);
      for (size_t n : options_.steps) {
        if (!co_await step(n)) break;
      }
    } catch (const std::exception& e) {
      error_ = e.what();
    }
    report();
    io_.stop();
  }

 private:
  std::unique_ptr<Session> newSession() {
    if (options_.target == "onair") return std::make_unique<OnairSession>(io_, options_, room_);
    return std::make_unique<CeilingSession>(io_, options_.port);
  }

  ClientTransport::Options transportOptions(bool publisher) const {
    ClientTransport::Options o;
    o.unprotectMedia = false;
    o.sendQueueSlots = publisher ? 256 : 8;
    return o;
  }

  OfferWriter::Identity identity(const ClientTransport& t) const {
    return {t.localUfrag(), t.localPassword(), t.fingerprint()};
  }

  asio::awaitable<void> sleep(std::chrono::steady_clock::duration d) {
    asio::steady_timer timer(io_, d);
    co_await timer.async_wait(asio::use_awaitable);
  }

  asio::awaitable<void> startPublisher() {
    publisher_.transport = std::make_unique<ClientTransport>(io_, context_, publisher_, transportOptions(true));
    const std::vector<ClientTrack> tracks = {
        {ClientTrack::Kind::Audio, ClientTrack::Direction::Send, "0", kAudioSsrc, "audio"},
        {ClientTrack::Kind::Video, ClientTrack::Direction::Send, "1", kVideoSsrc, "video"}};
    publisherSession_ = newSession();
    const std::string answer = co_await publisherSession_->publish(OfferWriter::write(identity(*publisher_.transport), tracks));
    std::string error;
    auto read = AnswerReader::read(answer, error);
    if (!read) throw std::runtime_error("publisher: " + error);
    publisher_.transport->connect(read->remote);
    for (int i = 0; i < 200 && !publisher_.connected && publisher_.failure.empty(); ++i) co_await sleep(25ms);
    if (!publisher_.connected) throw std::runtime_error("publisher did not connect: " + publisher_.failure);
    source_ = std::make_unique<MediaSource>(io_, publisher_, options_.videoKbps);
    source_->start();
    std::fprintf(stderr, "sfu_load: publisher connected (%s)\n", options_.target.c_str());
  }

  asio::awaitable<void> addSubscriber(Subscriber& s) {
    try {
      s.transport = std::make_unique<ClientTransport>(io_, context_, s, transportOptions(false));
      const std::vector<ClientTrack> tracks = {{ClientTrack::Kind::Audio, ClientTrack::Direction::Receive, "0", 0, ""},
                                               {ClientTrack::Kind::Video, ClientTrack::Direction::Receive, "1", 0, ""}};
      s.session = newSession();
      const std::string answer = co_await s.session->subscribe(OfferWriter::write(identity(*s.transport), tracks));
      std::string error;
      auto read = AnswerReader::read(answer, error);
      if (!read) throw std::runtime_error(error);
      s.transport->connect(read->remote);
    } catch (const std::exception& e) {
      s.failure = e.what();
    }
  }

  struct Totals {
    uint64_t packets = 0, bytes = 0, lost = 0;
  };
  Totals totals() const {
    Totals t;
    for (const auto& s : subscribers_) t.packets += s->packets, t.bytes += s->bytes, t.lost += s->lost;
    return t;
  }

  // Adds subscribers up to n, waits for video at all of them, measures. False: stop the ramp.
  asio::awaitable<bool> step(size_t n) {
    const size_t before = subscribers_.size();
    while (subscribers_.size() < n) {
      subscribers_.push_back(std::make_unique<Subscriber>());
      asio::co_spawn(io_, addSubscriber(*subscribers_.back()), asio::detached);
      if (subscribers_.size() % 20 == 0) co_await sleep(20ms);  // a gentle ramp for the signaling
    }
    for (size_t i = before; i < n; ++i) subscribers_[i]->videoPackets = 0;
    size_t ready = 0, failed = 0;
    for (int i = 0; i < 400; ++i) {  // up to 20 s
      ready = failed = 0;
      for (const auto& s : subscribers_) {
        if (!s->failure.empty()) ++failed;
        else if (s->videoPackets > 0) ++ready;
      }
      if (ready + failed == n) break;
      co_await sleep(50ms);
    }
    if (failed > 0 || ready < n) {
      std::string why;
      for (const auto& s : subscribers_) {
        if (!s->failure.empty()) { why = s->failure; break; }
      }
      std::fprintf(stderr, "sfu_load: %zu subscribers: %zu receiving, %zu failed%s%s\n", n, ready, failed,
                   why.empty() ? "" : ": ", why.c_str());
      steps_.push_back(json::object{{"subs", n}, {"ready", ready}, {"failed", failed}, {"error", why}});
      co_return false;
    }
    co_await sleep(std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(options_.settle)));
    json::object row = co_await measure(n);
    if (row.at("published_per_s").as_double() < 0.9 * nominalPacketsPerSecond()) {
      std::fprintf(stderr, "sfu_load: the publisher fell behind its schedule (the tool's core was busy): measuring again\n");
      row = co_await measure(n);
      row["remeasured"] = true;
    }
    const double loss = row.at("loss").as_double();
    steps_.push_back(std::move(row));
    if (loss > options_.maxLoss) co_return false;
    held_ = n;
    co_return true;
  }

  // Packets per second the publisher's schedule sends: 50 audio, 30 frames of video a second.
  double nominalPacketsPerSecond() const {
    const double perPacket = kMaxPacketBytes - 12 - 8;
    const double deltaBytes = options_.videoKbps * 1000 / 8 * 2 / (8 + 59);
    const double videoPer2s = std::ceil(deltaBytes * 8 / perPacket) + 59 * std::ceil(deltaBytes / perPacket);
    return 50 + videoPer2s / 2;
  }

  // One measurement window over the subscribers there are now.
  asio::awaitable<json::object> measure(size_t n) {
    const Totals t0 = totals();
    const uint64_t sent0 = publisher_.packets;
    const double server0 = benchkit::processCpuSeconds(options_.serverPid), tool0 = benchkit::cpuSeconds();
    const uint64_t ns0 = benchkit::nowNs();
    co_await sleep(std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(options_.seconds)));
    const Totals t1 = totals();
    const double wall = double(benchkit::nowNs() - ns0) / 1e9;
    const double serverCpu = benchkit::processCpuSeconds(options_.serverPid) - server0;
    const double toolCpu = benchkit::cpuSeconds() - tool0;
    const uint64_t sent = publisher_.packets - sent0;

    const uint64_t received = t1.packets - t0.packets, lost = t1.lost - t0.lost;
    const double loss = received + lost ? double(lost) / double(received + lost) : 1.0;
    const double expectedShortfall = sent ? 1.0 - double(received) / (double(sent) * double(n)) : 0.0;
    const long rss = rssKb(options_.serverPid);
    json::object row{{"subs", n},
                     {"forwarded_per_s", double(received) / wall},
                     {"mbit_per_s", double(t1.bytes - t0.bytes) * 8 / wall / 1e6},
                     {"published_per_s", double(sent) / wall},
                     {"lost", lost},
                     {"loss", loss},
                     {"shortfall", expectedShortfall},
                     {"server_cpu_pct", serverCpu / wall * 100},
                     {"server_cpu_ns_per_packet", received ? serverCpu * 1e9 / double(received) : 0.0},
                     {"server_rss_kb", rss},
                     {"rss_kb_per_sub", n ? double(rss - baseRss_) / double(n) : 0.0},
                     {"tool_cpu_pct", toolCpu / wall * 100}};
    std::fprintf(stderr,
                 "sfu_load: %5zu subs  %9.0f forwarded/s  loss %.4f%%  server CPU %5.1f%%  %6.0f ns/packet  tool CPU %5.1f%%"
                 "  published %.0f/s\n",
                 n, double(received) / wall, loss * 100, serverCpu / wall * 100,
                 received ? serverCpu * 1e9 / double(received) : 0.0, toolCpu / wall * 100, double(sent) / wall);
    co_return row;
  }

  void report() {
    json::object out{{"target", options_.target}, {"held_subs", held_}, {"steps", std::move(steps_)}};
    if (!error_.empty()) out["error"] = error_;
    std::printf("%s\n", json::serialize(out).c_str());
    std::fflush(stdout);
  }

  asio::io_context& io_;
  Options options_;
  std::shared_ptr<const dtls::DtlsContext> context_;
  OnairSession::Room room_;
  Publisher publisher_;
  std::unique_ptr<Session> publisherSession_;
  std::unique_ptr<MediaSource> source_;
  std::vector<std::unique_ptr<Subscriber>> subscribers_;
  json::array steps_;
  size_t held_ = 0;
  long baseRss_ = 0;
  std::string error_;
};

std::vector<size_t> parseSteps(const std::string& text) {
  std::vector<size_t> steps;
  size_t at = 0;
  while (at < text.size()) {
    const size_t comma = text.find(',', at);
    steps.push_back(std::stoul(text.substr(at, comma - at)));
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
  return steps;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) die("missing value for " + a);
      return argv[++i];
    };
    if (a == "--target") o.target = next();
    else if (a == "--port") o.port = static_cast<uint16_t>(std::stoi(next()));
    else if (a == "--path") o.path = next();
    else if (a == "--token") o.token = next();
    else if (a == "--server-pid") o.serverPid = std::stoi(next());
    else if (a == "--steps") o.steps = parseSteps(next());
    else if (a == "--seconds") o.seconds = std::stod(next());
    else if (a == "--settle") o.settle = std::stod(next());
    else if (a == "--max-loss") o.maxLoss = std::stod(next());
    else if (a == "--video-kbps") o.videoKbps = std::stod(next());
    else {
      die("usage: sfu_load --target ceiling|onair --port P [--path /v1/connect] [--token JWT] [--server-pid PID]\n"
          "         [--steps 50,100,…] [--seconds 5] [--settle 1] [--max-loss 0.001] [--video-kbps 1500]");
    }
  }
  if (o.port == 0) die("--port is required");
  if (o.target == "onair" && o.token.empty()) die("--token is required for onair");
  if (o.target != "onair" && o.target != "ceiling") die("--target is ceiling or onair");
  benchkit::raiseFdLimit();
  asio::io_context io(1);
  Run run(io, o);
  asio::co_spawn(io, run.main(), asio::detached);
  io.run();
  return 0;
}
