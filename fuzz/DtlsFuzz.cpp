// fuzz_dtls: datagrams from the network as a passive (server) DtlsTransport gets them before and
// during the handshake, and the remote fingerprint as SDP carries it. OpenSSL parses the records;
// this target holds onair's glue to account: the memory BIO fed one datagram at a time, the write
// BIO, the timer, the failure and close paths. Invariants:
//   - nothing crashes or leaks, whatever the bytes;
//   - the transport never reports Connected (no input can answer a handshake keyed by a fresh
//     certificate whose fingerprint it would also have to match);
//   - every datagram it sends fits the MTU;
//   - a parsed fingerprint writes back to text that parses to the same fingerprint.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "rtc/dtls/DtlsCertificate.hpp"
#include "rtc/dtls/DtlsContext.hpp"
#include "rtc/dtls/DtlsFingerprint.hpp"
#include "rtc/dtls/DtlsTransport.hpp"
#include "FuzzCheck.hpp"

using namespace onair::rtc::dtls;

namespace {

struct Listener : DtlsTransport::Listener {
  size_t mtu = 0;
  bool connected = false;
  void OnDtlsTransportSendData(DtlsTransport&, std::span<const uint8_t> datagram) override {
    check(!datagram.empty() && datagram.size() <= mtu);
  }
  void OnDtlsTransportConnected(DtlsTransport&, onair::rtc::srtp::SrtpProfile, std::span<const uint8_t>,
                                std::span<const uint8_t>) override {
    connected = true;
  }
  void OnDtlsTransportFailed(DtlsTransport&, std::string_view reason) override { check(!reason.empty()); }
  void OnDtlsTransportClosed(DtlsTransport&) override {}
  void OnDtlsTransportApplicationData(DtlsTransport&, std::span<const uint8_t> data) override {
    check(data.size() <= DtlsTransport::kMaxApplicationDataBytes);
  }
};

void fingerprintRoundTrip(std::span<const uint8_t> bytes) {
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  const auto parsed = DtlsFingerprint::parse(text);
  if (!parsed) return;
  const auto again = DtlsFingerprint::parse(parsed->toString());
  check(again && *again == *parsed);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto certificate = DtlsCertificate::generate();
  static const auto peerCertificate = DtlsCertificate::generate();
  static DtlsContext context(certificate);
  const std::span<const uint8_t> bytes(data, size);
  fingerprintRoundTrip(bytes);

  Listener listener;
  DtlsTransport::Options options;
  options.mtu = 1200;
  listener.mtu = options.mtu;
  DtlsTransport transport(context, listener, options);
  transport.start(DtlsTransport::Role::Server, peerCertificate->fingerprint());

  // The datagram, then the same again (a retransmitted flight), then a timer tick.
  transport.receive(bytes);
  transport.receive(bytes);
  (void)transport.nextTimeout();
  transport.onTimeout();
  check(!listener.connected && transport.state() != DtlsTransport::State::Connected);
  transport.close();
  return 0;
}
