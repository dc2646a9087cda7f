#include "rtc/dtls/DtlsContext.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <stdexcept>
#include <string>

namespace onair::rtc::dtls {

namespace {

// ECDHE with AES-GCM only: forward secrecy, and every WebRTC stack offers ECDHE-ECDSA-AES128-GCM.
// The RSA suites serve peers whose certificate is RSA when onair is the client. One record layout
// (8-byte explicit nonce, 16-byte tag) is what DtlsTransport's record check knows.
constexpr const char* kCipherList =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384";
constexpr const char* kGroups = "X25519:P-256:P-384";

[[noreturn]] void fail(const std::string& what) {
  char detail[256] = {};
  ERR_error_string_n(ERR_get_error(), detail, sizeof detail);
  ERR_clear_error();
  throw std::runtime_error("DTLS context: " + what + " (" + detail + ")");
}

// Replaces OpenSSL's chain verification: a WebRTC certificate is self-signed and trusted only by
// its fingerprint, which the SSL's owner knows.
int verifyPeerCertificate(X509_STORE_CTX* store, void*) {
  auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  auto* verifier = ssl ? static_cast<DtlsContext::PeerVerifier*>(SSL_get_app_data(ssl)) : nullptr;
  X509* certificate = X509_STORE_CTX_get0_cert(store);
  if (verifier && certificate && verifier->acceptsPeerCertificate(certificate)) return 1;
  X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);  // the handshake ends with bad_certificate
  return 0;
}

std::string useSrtpList(const std::vector<srtp::SrtpProfile>& profiles) {
  std::string list;
  for (const auto profile : profiles) {
    if (!list.empty()) list += ':';
    list += srtp::SrtpProfileInfo::name(profile);
  }
  return list;
}

}  // namespace

DtlsContext::DtlsContext(std::shared_ptr<const DtlsCertificate> certificate, std::vector<srtp::SrtpProfile> profiles)
    : certificate_(std::move(certificate)) {
  if (!certificate_) throw std::invalid_argument("DTLS context: no certificate");
  if (profiles.empty()) throw std::invalid_argument("DTLS context: no SRTP profile");
  context_ = SSL_CTX_new(DTLS_method());
  if (!context_) fail("SSL_CTX_new failed");

  try {
    if (SSL_CTX_set_min_proto_version(context_, DTLS1_2_VERSION) != 1 ||
        SSL_CTX_set_max_proto_version(context_, DTLS1_2_VERSION) != 1) {
      fail("restricting to DTLS 1.2 failed");
    }
    if (SSL_CTX_use_certificate(context_, certificate_->certificate()) != 1 ||
        SSL_CTX_use_PrivateKey(context_, certificate_->privateKey()) != 1 || SSL_CTX_check_private_key(context_) != 1) {
      fail("installing the certificate failed");
    }
    if (SSL_CTX_set_cipher_list(context_, kCipherList) != 1) fail("no usable cipher suite");
    if (SSL_CTX_set1_groups_list(context_, kGroups) != 1) fail("no usable ECDHE group");
    // Unlike most of OpenSSL, 0 is success here.
    if (SSL_CTX_set_tlsext_use_srtp(context_, useSrtpList(profiles).c_str()) != 0) fail("use_srtp refused");

    SSL_CTX_set_options(context_, SSL_OP_NO_TICKET | SSL_OP_NO_QUERY_MTU | SSL_OP_NO_RENEGOTIATION |
                                      SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_session_cache_mode(context_, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_read_ahead(context_, 1);
    SSL_CTX_set_max_cert_list(context_, kMaxPeerCertificateBytes);
    // Both roles ask for and check the peer's certificate (a server sends CertificateRequest).
    SSL_CTX_set_verify(context_, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    SSL_CTX_set_cert_verify_callback(context_, verifyPeerCertificate, nullptr);
  } catch (...) {
    SSL_CTX_free(context_);
    throw;
  }
}

DtlsContext::~DtlsContext() { SSL_CTX_free(context_); }

}  // namespace onair::rtc::dtls
