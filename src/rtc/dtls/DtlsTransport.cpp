#include "rtc/dtls/DtlsTransport.hpp"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <climits>
#include <mutex>
#include <stdexcept>

namespace onair::rtc::dtls {

namespace {

// RFC 5764 §4.2: the exporter label for SRTP keying material.
constexpr std::string_view kSrtpExporterLabel = "EXTRACTOR-dtls_srtp";
constexpr long long kMinTimeoutUs = 20'000;

std::string takeOpenSslError() {
  const unsigned long code = ERR_peek_last_error();
  std::string detail;
  if (code != 0) {
    char text[256] = {};
    ERR_error_string_n(code, text, sizeof text);
    detail = text;
  }
  ERR_clear_error();
  return detail;
}

// A DTLS 1.2 record header (RFC 6347 §4.1); a datagram holds one record or more:
//
//    0               1               2               3
//   +---------------+---------------+---------------+---------------+
//   |  ContentType  |     ProtocolVersion (major, minor)  |   epoch  ~
//   +---------------+---------------+---------------+---------------+
//   ~    epoch      |            sequence_number (48 bits)          ~
//   +---------------+---------------+---------------+---------------+
//   ~                               |            length             |
//   +---------------+---------------+---------------+---------------+
//   |                 fragment (length bytes) ...
constexpr size_t kRecordHeaderBytes = 13;

// Whether every record of the datagram is framed within it and, when protected (epoch > 0), at
// least `minProtectedBytes` long. OpenSSL 3.0 ends a connection on a protected record too short
// for its AEAD's nonce and tag instead of discarding it as RFC 6347 §4.1.2.7 asks, so a single
// forged datagram could break it: such datagrams never reach OpenSSL. Empty records are legal.
bool recordsAreFramed(std::span<const uint8_t> datagram, size_t minProtectedBytes) {
  while (!datagram.empty()) {
    if (datagram.size() < kRecordHeaderBytes) return false;
    const uint16_t epoch = static_cast<uint16_t>(datagram[3] << 8 | datagram[4]);
    const size_t length = static_cast<size_t>(datagram[11] << 8 | datagram[12]);
    if (length > datagram.size() - kRecordHeaderBytes) return false;
    if (epoch > 0 && length > 0 && length < minProtectedBytes) return false;
    datagram = datagram.subspan(kRecordHeaderBytes + length);
  }
  return true;
}

// The shortest protected record of the suites DtlsContext allows (AES-GCM): an 8-byte explicit
// nonce and a 16-byte tag.
constexpr size_t kMinProtectedRecordBytes = 8 + 16;

}  // namespace

// ---- the write BIO: each BIO_write from OpenSSL is one datagram ----

const BIO_METHOD* DtlsTransport::datagramMethod() {
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "onair dtls datagrams");
    if (!m || BIO_meth_set_write(m, writeDatagram) != 1 || BIO_meth_set_ctrl(m, controlDatagramBio) != 1 ||
        BIO_meth_set_create(m, [](BIO* bio) {
          BIO_set_init(bio, 1);
          return 1;
        }) != 1) {
      throw std::runtime_error("DTLS: cannot create the datagram BIO method");
    }
    return m;
  }();
  return method;
}

int DtlsTransport::writeDatagram(BIO* bio, const char* data, int length) {
  auto* transport = static_cast<DtlsTransport*>(BIO_get_data(bio));
  if (!transport || length <= 0) return 0;
  transport->queueDatagram({reinterpret_cast<const uint8_t*>(data), static_cast<size_t>(length)});
  return length;
}

long DtlsTransport::controlDatagramBio(BIO*, int command, long, void*) {
  // OpenSSL flushes after each flight; the datagrams are already queued. Everything else (MTU
  // queries, peer addresses, timeouts of a socket BIO) has no meaning here: 0, and the MTU comes
  // from SSL_set_mtu (SSL_OP_NO_QUERY_MTU).
  return command == BIO_CTRL_FLUSH ? 1 : 0;
}

unsigned int DtlsTransport::nextRetransmitTimeout(SSL* ssl, unsigned int previousUs) {
  auto* transport = static_cast<DtlsTransport*>(static_cast<DtlsContext::PeerVerifier*>(SSL_get_app_data(ssl)));
  const auto initialUs = std::chrono::microseconds(transport->options_.initialRetransmitTimeout).count();
  const auto maxUs = std::chrono::microseconds(kMaxRetransmitTimeout).count();
  // OpenSSL counts a timer with less than 15 ms left as expired already (dtls1_get_timeout).
  if (previousUs == 0) return static_cast<unsigned int>(std::clamp<long long>(initialUs, kMinTimeoutUs, maxUs));
  return static_cast<unsigned int>(std::min<long long>(2LL * previousUs, maxUs));
}

void DtlsTransport::queueDatagram(std::span<const uint8_t> bytes) {
  if (outgoingCount_ == outgoing_.size()) outgoing_.emplace_back();
  outgoing_[outgoingCount_++].assign(bytes.begin(), bytes.end());
}

void DtlsTransport::flush() {
  // By index: a datagram queued while the listener runs (it must not, see the header) still goes.
  while (outgoingSent_ < outgoingCount_) {
    const auto& datagram = outgoing_[outgoingSent_++];
    listener_.OnDtlsTransportSendData(*this, datagram);
  }
  outgoingCount_ = outgoingSent_ = 0;
}

// ---- lifecycle ----

DtlsTransport::DtlsTransport(const DtlsContext& context, Listener& listener, Options options)
    : listener_(listener), options_(options) {
  ssl_ = SSL_new(context.native());
  if (!ssl_) throw std::runtime_error("DTLS: SSL_new failed: " + takeOpenSslError());
  in_ = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(datagramMethod());
  if (!in_ || !out) {
    BIO_free(in_);
    BIO_free(out);
    SSL_free(ssl_);
    throw std::runtime_error("DTLS: BIO_new failed");
  }
  BIO_set_mem_eof_return(in_, -1);  // empty means "wait for more", not end of stream
  BIO_set_data(out, this);
  SSL_set_bio(ssl_, in_, out);
  SSL_set_app_data(ssl_, static_cast<DtlsContext::PeerVerifier*>(this));
  SSL_set_mtu(ssl_, static_cast<long>(options_.mtu));
  DTLS_set_link_mtu(ssl_, static_cast<long>(options_.mtu));
  DTLS_set_timer_cb(ssl_, nextRetransmitTimeout);
  readBuffer_.resize(kMaxApplicationDataBytes);
}

DtlsTransport::~DtlsTransport() { SSL_free(ssl_); }

void DtlsTransport::start(Role role, DtlsFingerprint remoteFingerprint) {
  if (state_ != State::New) return;
  role_ = role;
  remoteFingerprint_ = std::move(remoteFingerprint);
  state_ = State::Connecting;
  if (role == Role::Client) {
    SSL_set_connect_state(ssl_);
    continueHandshake();  // writes the ClientHello
  } else {
    SSL_set_accept_state(ssl_);
  }
  flush();
}

bool DtlsTransport::receive(std::span<const uint8_t> datagram) {
  // Checks before OpenSSL sees anything: running, and a size no WebRTC peer exceeds.
  if (state_ != State::Connecting && state_ != State::Connected) return false;
  if (datagram.empty() || datagram.size() > kMaxDatagramBytes) return false;
  if (!recordsAreFramed(datagram, kMinProtectedRecordBytes)) return false;

  // One datagram in the memory BIO at a time, so OpenSSL's record reader sees its boundaries.
  (void)BIO_reset(in_);
  if (BIO_write(in_, datagram.data(), static_cast<int>(datagram.size())) != static_cast<int>(datagram.size())) {
    return false;
  }
  if (state_ == State::Connecting) continueHandshake();
  // Also after the handshake: application data, the peer's retransmitted last flight (answered
  // by OpenSSL), close_notify, alerts.
  if (state_ == State::Connected) readApplicationData();
  // Whatever OpenSSL left unread (a bad record's tail) must not prefix the next datagram.
  (void)BIO_reset(in_);
  flush();
  return true;
}

std::optional<std::chrono::microseconds> DtlsTransport::nextTimeout() const {
  if (state_ != State::Connecting && state_ != State::Connected) return std::nullopt;
  timeval remaining{};
  if (DTLSv1_get_timeout(ssl_, &remaining) != 1) return std::nullopt;
  return std::chrono::seconds(remaining.tv_sec) + std::chrono::microseconds(remaining.tv_usec);
}

void DtlsTransport::onTimeout() {
  if (state_ != State::Connecting && state_ != State::Connected) return;
  ERR_clear_error();
  // < 0: too many retransmissions without an answer (OpenSSL's DTLS1_TMO_ALERT_COUNT).
  if (DTLSv1_handle_timeout(ssl_) < 0) {
    failureDetail_ = takeOpenSslError();
    flush();
    fail("handshake_timeout");
    return;
  }
  flush();
}

bool DtlsTransport::send(std::span<const uint8_t> data) {
  if (state_ != State::Connected || data.empty() || data.size() > kMaxApplicationDataBytes) return false;
  ERR_clear_error();
  const int written = SSL_write(ssl_, data.data(), static_cast<int>(data.size()));
  if (written <= 0) {
    failureDetail_ = takeOpenSslError();
    flush();
    return false;
  }
  flush();
  return true;
}

void DtlsTransport::close() {
  if (state_ != State::Connecting && state_ != State::Connected) return;
  ERR_clear_error();
  if (state_ == State::Connected) (void)SSL_shutdown(ssl_);  // close_notify; no answer awaited
  ERR_clear_error();
  flush();
  closed();
}

// ---- the handshake and what follows ----

void DtlsTransport::continueHandshake() {
  ERR_clear_error();
  const int result = SSL_do_handshake(ssl_);
  if (result == 1) {
    onHandshakeDone();
    return;
  }
  const int error = SSL_get_error(ssl_, result);
  if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
    ERR_clear_error();
    return;  // the flight is written; waiting for the peer's
  }
  failureDetail_ = takeOpenSslError();
  flush();  // the alert, so the peer stops too
  fail(fingerprintRejected_ ? "fingerprint_mismatch" : "handshake_failed");
}

void DtlsTransport::onHandshakeDone() {
  // The certificate check already ran in the handshake; checked again so that no path reaches
  // Connected without it (a resumed session would skip it, and resumption is off).
  if (!remoteFingerprint_ || !remoteFingerprint_->matches(SSL_get0_peer_certificate(ssl_))) {
    fail("fingerprint_mismatch");
    return;
  }
  const SRTP_PROTECTION_PROFILE* selected = SSL_get_selected_srtp_profile(ssl_);
  const auto profile = selected ? srtp::SrtpProfileInfo::fromIanaId(selected->id) : std::nullopt;
  if (!profile) {
    fail("no_srtp_profile");
    return;
  }

  // RFC 5764 §4.2: client key, server key, client salt, server salt.
  const size_t keyBytes = srtp::SrtpProfileInfo::keyBytes(*profile);
  const size_t saltBytes = srtp::SrtpProfileInfo::saltBytes(*profile);
  uint8_t material[2 * (16 + 14)];
  const size_t materialBytes = 2 * (keyBytes + saltBytes);
  if (SSL_export_keying_material(ssl_, material, materialBytes, kSrtpExporterLabel.data(), kSrtpExporterLabel.size(),
                                 nullptr, 0, 0) != 1) {
    failureDetail_ = takeOpenSslError();
    fail("key_export_failed");
    return;
  }
  uint8_t clientKey[16 + 14], serverKey[16 + 14];
  std::copy_n(material, keyBytes, clientKey);
  std::copy_n(material + 2 * keyBytes, saltBytes, clientKey + keyBytes);
  std::copy_n(material + keyBytes, keyBytes, serverKey);
  std::copy_n(material + 2 * keyBytes + saltBytes, saltBytes, serverKey + keyBytes);

  state_ = State::Connected;
  const bool client = role_ == Role::Client;
  const std::span<const uint8_t> clientSpan(clientKey, keyBytes + saltBytes), serverSpan(serverKey, keyBytes + saltBytes);
  flush();  // the last flight before the news
  listener_.OnDtlsTransportConnected(*this, *profile, client ? clientSpan : serverSpan, client ? serverSpan : clientSpan);
  OPENSSL_cleanse(material, sizeof material);
  OPENSSL_cleanse(clientKey, sizeof clientKey);
  OPENSSL_cleanse(serverKey, sizeof serverKey);
}

void DtlsTransport::readApplicationData() {
  // Every record of the datagram; OpenSSL discards the ones that fail their MAC.
  while (state_ == State::Connected) {
    ERR_clear_error();
    const int read = SSL_read(ssl_, readBuffer_.data(), static_cast<int>(readBuffer_.size()));
    if (read > 0) {
      listener_.OnDtlsTransportApplicationData(*this, {readBuffer_.data(), static_cast<size_t>(read)});
      continue;
    }
    const int error = SSL_get_error(ssl_, read);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
      ERR_clear_error();
      return;
    }
    if (error == SSL_ERROR_ZERO_RETURN) {  // the peer's close_notify
      ERR_clear_error();
      flush();
      closed();
      return;
    }
    failureDetail_ = takeOpenSslError();  // a fatal alert from the peer, or a broken connection
    if (failureDetail_.empty()) failureDetail_ = "SSL_read error " + std::to_string(error);
    flush();
    fail("connection_failed");
    return;
  }
}

bool DtlsTransport::acceptsPeerCertificate(X509* certificate) {
  if (remoteFingerprint_ && remoteFingerprint_->matches(certificate)) return true;
  fingerprintRejected_ = true;
  return false;
}

void DtlsTransport::fail(std::string_view reason) {
  if (state_ == State::Failed || state_ == State::Closed) return;
  state_ = State::Failed;
  listener_.OnDtlsTransportFailed(*this, reason);
}

void DtlsTransport::closed() {
  if (state_ == State::Failed || state_ == State::Closed) return;
  state_ = State::Closed;
  listener_.OnDtlsTransportClosed(*this);
}

std::string_view DtlsTransport::name(State state) noexcept {
  switch (state) {
    case State::New: return "new";
    case State::Connecting: return "connecting";
    case State::Connected: return "connected";
    case State::Failed: return "failed";
    case State::Closed: return "closed";
  }
  return "unknown";
}

}  // namespace onair::rtc::dtls
