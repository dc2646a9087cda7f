#pragma once
// The OpenSSL configuration every DTLS transport of the process shares (one SSL_CTX): DTLS 1.2
// only, onair's certificate and key, ECDHE with AES-GCM suites, the use_srtp extension (RFC 5764) with
// the SRTP profiles to offer or accept, no session tickets or resumption, no renegotiation, and a
// certificate check that hands the peer's certificate to its transport, which compares it with the
// fingerprint from the peer's SDP (there is no CA in WebRTC). Built once at start; read-only
// afterwards, so shards share it without locks.
#include <memory>
#include <vector>

#include <openssl/types.h>

#include "rtc/dtls/DtlsCertificate.hpp"
#include "rtc/srtp/SrtpProfile.hpp"

namespace onair::rtc::dtls {

class DtlsContext {
 public:
  // What the context's certificate check asks of the SSL's owner (its app data).
  class PeerVerifier {
   public:
    virtual bool acceptsPeerCertificate(X509* certificate) = 0;

   protected:
    ~PeerVerifier() = default;
  };

  // `profiles` in order of preference; the default is GCM first, then AES-CM with HMAC-SHA1-80.
  // Throws std::runtime_error if OpenSSL refuses the configuration.
  explicit DtlsContext(std::shared_ptr<const DtlsCertificate> certificate,
                       std::vector<srtp::SrtpProfile> profiles = {srtp::SrtpProfile::AeadAes128Gcm,
                                                                  srtp::SrtpProfile::AesCm128HmacSha1_80});
  ~DtlsContext();
  DtlsContext(const DtlsContext&) = delete;
  DtlsContext& operator=(const DtlsContext&) = delete;

  SSL_CTX* native() const noexcept { return context_; }
  const DtlsCertificate& certificate() const noexcept { return *certificate_; }

  // Bounds the peer's certificate chain, and with it the handshake message OpenSSL reassembles.
  static constexpr long kMaxPeerCertificateBytes = 16 * 1024;

 private:
  std::shared_ptr<const DtlsCertificate> certificate_;
  SSL_CTX* context_ = nullptr;
};

}  // namespace onair::rtc::dtls
