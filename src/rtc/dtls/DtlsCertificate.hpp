#pragma once
// onair's DTLS identity: one self-signed certificate and its private key (ECDSA P-256), generated
// when the process starts and shared by every DTLS transport of every shard. WebRTC needs no CA:
// each side announces its certificate's fingerprint in SDP and the other checks the certificate it
// gets in the handshake against it (RFC 8827 §6.5). A fresh key per process keeps nothing on disk.
//
// Immutable after construction, so shards read it without locks (OpenSSL's X509 and EVP_PKEY are
// safe to share read-only; SSL_CTX takes references).
#include <memory>
#include <string>

#include <openssl/types.h>

#include "rtc/dtls/DtlsFingerprint.hpp"

namespace onair::rtc::dtls {

class DtlsCertificate {
 public:
  // A new key pair and certificate (CN "onair", valid from a day ago for 30 days, a random
  // serial). Throws std::runtime_error if OpenSSL fails: without it no media can flow.
  static std::shared_ptr<const DtlsCertificate> generate();

  ~DtlsCertificate();
  DtlsCertificate(const DtlsCertificate&) = delete;
  DtlsCertificate& operator=(const DtlsCertificate&) = delete;

  X509* certificate() const noexcept { return certificate_; }
  EVP_PKEY* privateKey() const noexcept { return key_; }

  // SHA-256 of the DER certificate, for `a=fingerprint:` ("sha-256 AB:CD:…").
  const DtlsFingerprint& fingerprint() const noexcept { return fingerprint_; }

 private:
  DtlsCertificate(X509* certificate, EVP_PKEY* key, DtlsFingerprint fingerprint);

  X509* certificate_;
  EVP_PKEY* key_;
  DtlsFingerprint fingerprint_;
};

}  // namespace onair::rtc::dtls
