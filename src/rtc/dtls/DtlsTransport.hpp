#pragma once
// The DTLS 1.2 side of one WebRTC transport (RFC 6347, RFC 5764 DTLS-SRTP, RFC 8842), pure of
// sockets and timers: datagrams the caller has classified as DTLS go in through receive(), what to
// send comes out through the listener, and the retransmission timer is the caller's to run
// (nextTimeout() after each call, onTimeout() when it fires). OpenSSL does the protocol over memory:
// a memory BIO reads one datagram at a time, and a write BIO hands each record OpenSSL writes to
// the listener as one datagram, so a flight never exceeds the MTU in one datagram.
//
//   start(role, fingerprint) ──> Connecting ──handshake done, SRTP keys exported──> Connected
//                                    │                                                │
//                                    └── fingerprint mismatch, alert, timeout ──> Failed
//                                                            close() / close_notify ──> Closed
//
// The peer's certificate is accepted only if it hashes to the fingerprint from its SDP; a mismatch
// ends the handshake with a bad_certificate alert and Failed("fingerprint_mismatch"): a transport
// never reports Connected to a peer it could not authenticate.
//
// Listener contract: callbacks run synchronously inside start/receive/onTimeout/send/close; they
// must not call back into this transport nor destroy it (post to the loop instead). The spans
// they get are valid for the call only.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/types.h>

#include "rtc/dtls/DtlsContext.hpp"
#include "rtc/dtls/DtlsFingerprint.hpp"
#include "rtc/srtp/SrtpProfile.hpp"

struct bio_method_st;  // BIO_METHOD, from openssl/bio.h

namespace onair::rtc::dtls {

class DtlsTransport final : private DtlsContext::PeerVerifier {
 public:
  // Server is passive (a=setup:passive, what an SFU answers with); Client is active.
  enum class Role : uint8_t { Client, Server };
  enum class State : uint8_t { New, Connecting, Connected, Failed, Closed };

  class Listener {
   public:
    virtual ~Listener() = default;
    // One datagram to send to the peer.
    virtual void OnDtlsTransportSendData(DtlsTransport& transport, std::span<const uint8_t> datagram) = 0;
    // The handshake is done and authenticated. Each key is master key then master salt
    // (SrtpProfileInfo::masterBytes(profile) bytes): `localKey` protects what this side sends,
    // `remoteKey` unprotects what the peer sends. Wiped after the call.
    virtual void OnDtlsTransportConnected(DtlsTransport& transport, srtp::SrtpProfile profile,
                                          std::span<const uint8_t> localKey, std::span<const uint8_t> remoteKey) = 0;
    // The handshake failed or the connection broke; `reason` is a stable snake_case label
    // (fingerprint_mismatch, handshake_timeout, handshake_failed, no_srtp_profile,
    // key_export_failed, connection_failed). failureDetail() has OpenSSL's words.
    virtual void OnDtlsTransportFailed(DtlsTransport& transport, std::string_view reason) = 0;
    // Closed by close() or by the peer's close_notify.
    virtual void OnDtlsTransportClosed(DtlsTransport& transport) = 0;
    // Application data the peer sent over DTLS (SCTP packets for data channels).
    virtual void OnDtlsTransportApplicationData(DtlsTransport& transport, std::span<const uint8_t> data) = 0;
  };

  struct Options {
    // The largest datagram OpenSSL writes (records, handshake fragments). 1200 fits any path
    // WebRTC is used on, with room for TURN's overhead.
    size_t mtu = 1200;
    // The first retransmission timeout of a flight; it doubles up to kMaxRetransmitTimeout, and
    // the handshake fails after OpenSSL's 12 timeouts (~30 s with the defaults). At least 20 ms:
    // OpenSSL treats a timer with less than 15 ms left as expired.
    std::chrono::milliseconds initialRetransmitTimeout{100};
  };

  // Larger datagrams are dropped unread: no peer using WebRTC's MTU sends them.
  static constexpr size_t kMaxDatagramBytes = 2048;
  // The largest application message send() takes (one DTLS record's plaintext).
  static constexpr size_t kMaxApplicationDataBytes = 16384;
  static constexpr std::chrono::milliseconds kMaxRetransmitTimeout{4000};

  DtlsTransport(const DtlsContext& context, Listener& listener, Options options);
  DtlsTransport(const DtlsContext& context, Listener& listener) : DtlsTransport(context, listener, Options{}) {}
  ~DtlsTransport();
  DtlsTransport(const DtlsTransport&) = delete;
  DtlsTransport& operator=(const DtlsTransport&) = delete;

  // Starts the handshake; a client sends its ClientHello now. Only from New; ignored otherwise.
  void start(Role role, DtlsFingerprint remoteFingerprint);

  // One datagram from the peer. False when it was dropped unread: not started or no longer
  // running, larger than kMaxDatagramBytes, or a record in it not framed within the datagram or
  // protected yet shorter than the cipher's nonce and tag. Records OpenSSL itself discards (bad
  // MAC, stale epoch) count as read: DTLS ignores them by design.
  bool receive(std::span<const uint8_t> datagram);

  // How long until onTimeout() must run, while a flight awaits its answer; nullopt otherwise.
  // Ask again after every call into the transport.
  std::optional<std::chrono::microseconds> nextTimeout() const;
  // Retransmits the last flight if its timer has expired (a no-op otherwise), or fails the
  // handshake after too many.
  void onTimeout();

  // Sends application data over the connection. False if not Connected, empty or too large.
  bool send(std::span<const uint8_t> data);

  // Sends close_notify and reports Closed. Only from Connecting or Connected.
  void close();

  State state() const noexcept { return state_; }
  Role role() const noexcept { return role_; }
  // OpenSSL's reason for the last failure, for logs ("" if none).
  const std::string& failureDetail() const noexcept { return failureDetail_; }

  static std::string_view name(State state) noexcept;

 private:
  bool acceptsPeerCertificate(X509* certificate) override;

  void continueHandshake();
  void readApplicationData();
  void onHandshakeDone();
  void fail(std::string_view reason);
  void closed();
  void flush();
  void queueDatagram(std::span<const uint8_t> bytes);

  static int writeDatagram(BIO* bio, const char* data, int length);
  static long controlDatagramBio(BIO* bio, int command, long number, void* pointer);
  static unsigned int nextRetransmitTimeout(SSL* ssl, unsigned int previousUs);
  static const ::bio_method_st* datagramMethod();

  Listener& listener_;
  Options options_;
  SSL* ssl_ = nullptr;
  BIO* in_ = nullptr;  // owned by ssl_
  Role role_ = Role::Server;
  State state_ = State::New;
  std::optional<DtlsFingerprint> remoteFingerprint_;
  bool fingerprintRejected_ = false;
  std::string failureDetail_;
  // Datagrams OpenSSL wrote during the current call, sent when it returns; capacities reused.
  std::vector<std::vector<uint8_t>> outgoing_;
  size_t outgoingCount_ = 0;
  size_t outgoingSent_ = 0;
  std::vector<uint8_t> readBuffer_;
};

}  // namespace onair::rtc::dtls
