// sfu_ceiling: the machine's limit for the SFU benchmark's shape of work, on the same socket and
// SRTP code as onair (net::UdpSocket, rtc::WebRtcServer / WebRtcTransport: ICE-lite, DTLS,
// libsrtp2, sendmmsg). One publisher transport; each RTP packet it sends is decrypted once and
// handed as is to every connected subscriber transport, which encrypts it once and queues it for
// the batched send. No SFU logic: no RTP parsing, no rewrite, no NACK/PLI, no RTCP of its own.
//
//   sfu_ceiling [--port 0]     prints "listening on 127.0.0.1:<tcp port>" (signaling, see
//                              CeilingWire.hpp); SIGINT/SIGTERM print counters and exit.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <cstdio>
#include <cstring>
#include <memory>
#include <set>
#include <string>

#include "CeilingWire.hpp"
#include "rtc/WebRtcServer.hpp"
#include "rtc/dtls/DtlsCertificate.hpp"
#include "rtc/sdp/AnswerBuilder.hpp"
#include "rtc/sdp/SdpParser.hpp"
#include "rtc/sdp/SdpWriter.hpp"

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace onair::rtc;

namespace {

struct Forwarder;

// One peer connection: the publisher's or one subscriber's.
struct Peer final : WebRtcTransport::Listener {
  Forwarder& forwarder;
  bool publisher;
  WebRtcTransport* transport = nullptr;  // null once closed
  Peer(Forwarder& f, bool isPublisher) : forwarder(f), publisher(isPublisher) {}
  void OnWebRtcTransportConnected(WebRtcTransport&) override;
  void OnWebRtcTransportRtp(WebRtcTransport&, std::span<uint8_t> packet) override;
  void OnWebRtcTransportRtcp(WebRtcTransport&, std::span<uint8_t>) override {}
  void OnWebRtcTransportClosed(WebRtcTransport&, std::string_view reason) override;
};

struct Forwarder {
  WebRtcServer& server;
  std::set<Peer*> subscribers;  // connected ones
  uint64_t packetsIn = 0, packetsOut = 0, sendFailures = 0;

  void forward(std::span<const uint8_t> packet) {
    ++packetsIn;
    for (Peer* s : subscribers) {
      if (s->transport->sendRtp(packet)) {
        ++packetsOut;
      } else {
        ++sendFailures;
      }
    }
  }
};

void Peer::OnWebRtcTransportConnected(WebRtcTransport&) {
  if (!publisher) forwarder.subscribers.insert(this);
}
void Peer::OnWebRtcTransportRtp(WebRtcTransport&, std::span<uint8_t> packet) {
  if (publisher) forwarder.forward(packet);
}
void Peer::OnWebRtcTransportClosed(WebRtcTransport&, std::string_view reason) {
  forwarder.subscribers.erase(this);
  transport = nullptr;
  // Closes at the end of a run are the tool hanging up; anything else is worth a line.
  if (reason != "closed") {
    std::fprintf(stderr, "sfu_ceiling: a %s transport closed: %.*s\n", publisher ? "publisher" : "subscriber",
                 static_cast<int>(reason.size()), reason.data());
  }
}

std::string answer(const sdp::SessionDescription& offer, WebRtcTransport& transport, const WebRtcServer& server,
                   std::string& error) {
  sdp::AnswerParameters local;
  local.iceUfrag = transport.localUfrag();
  local.icePwd = transport.localPassword();
  const std::string fp = transport.fingerprint().toString();
  local.fingerprint = {fp.substr(0, fp.find(' ')), fp.substr(fp.find(' ') + 1)};
  local.candidates = {server.candidate()};
  const auto built = sdp::AnswerBuilder::build(offer, local, error);
  return built ? sdp::SdpWriter::write(*built) : std::string();
}

// One signaling connection: offer in, answer out, then held until the peer hangs up.
asio::awaitable<void> session(tcp::socket socket, Forwarder& forwarder) {
  Peer* peer = nullptr;
  try {
    asio::streambuf buffer;
    auto [role, offerText] = co_await sfubench::readFrame(socket, buffer);
    sdp::SdpError sdpError;
    const auto offer = sdp::SdpParser::parse(offerText, sdpError);
    std::string error = offer ? "" : sdpError.message();
    std::optional<dtls::DtlsFingerprint> fingerprint;
    if (offer && !offer->media.empty() && !offer->media[0].fingerprints.empty()) {
      const auto& f = offer->media[0].fingerprints[0];
      fingerprint = dtls::DtlsFingerprint::parse(f.algorithm + " " + f.value);
    }
    if (error.empty() && (!fingerprint || !offer->media[0].iceUfrag)) error = "offer without ICE ufrag or fingerprint";
    std::string answerText;
    if (error.empty()) {
      peer = new Peer(forwarder, role == "publish");
      peer->transport = &forwarder.server.createTransport(*peer);
      answerText = answer(*offer, *peer->transport, forwarder.server, error);
      if (error.empty()) {
        peer->transport->setRemoteParameters({*offer->media[0].iceUfrag, *fingerprint, dtls::DtlsTransport::Role::Server});
      }
    }
    co_await sfubench::writeFrame(socket, error.empty() ? "" : "error", error.empty() ? answerText : error);
    char byte;
    co_await socket.async_read_some(asio::buffer(&byte, 1), asio::use_awaitable);  // until the peer hangs up
  } catch (const std::exception&) {
  }
  if (peer) {
    if (peer->transport) peer->transport->close();
    // The transport is destroyed on a later loop turn and never calls a closed peer's listener
    // again; the Peer stays allocated (a handful per run) rather than race that.
  }
}

asio::awaitable<void> acceptLoop(tcp::acceptor& acceptor, Forwarder& forwarder) {
  for (;;) {
    tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
    socket.set_option(tcp::no_delay(true));
    asio::co_spawn(acceptor.get_executor(), session(std::move(socket), forwarder), asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  uint16_t port = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
      port = static_cast<uint16_t>(std::stoi(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: sfu_ceiling [--port 0]\n");
      return 2;
    }
  }
  asio::io_context io(1);
  auto context = std::make_shared<dtls::DtlsContext>(dtls::DtlsCertificate::generate());
  WebRtcServer server(io, context, WebRtcServer::Options{});
  Forwarder forwarder{server, {}};
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  asio::co_spawn(io, acceptLoop(acceptor, forwarder), asio::detached);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int) { io.stop(); });
  std::printf("listening on 127.0.0.1:%u (media on udp %u)\n", acceptor.local_endpoint().port(), server.port());
  std::fflush(stdout);
  io.run();
  const auto& socket = server.socketCounters();
  std::fprintf(stderr,
               "sfu_ceiling: %llu packets in, %llu forwarded, %llu send failures; socket %llu out, %llu queue full, "
               "%llu send errors\n",
               static_cast<unsigned long long>(forwarder.packetsIn), static_cast<unsigned long long>(forwarder.packetsOut),
               static_cast<unsigned long long>(forwarder.sendFailures),
               static_cast<unsigned long long>(socket.packetsOut.load()),
               static_cast<unsigned long long>(socket.queueFull.load()),
               static_cast<unsigned long long>(socket.sendErrors.load()));
  return 0;
}
