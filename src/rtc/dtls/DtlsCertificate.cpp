#include "rtc/dtls/DtlsCertificate.hpp"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <stdexcept>

namespace onair::rtc::dtls {

namespace {

constexpr long kValidBeforeNowSeconds = 24 * 3600;  // tolerate a peer whose clock is behind
constexpr long kValidAfterNowSeconds = 30L * 24 * 3600;

struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertificateFree {
  void operator()(X509* certificate) const { X509_free(certificate); }
};

[[noreturn]] void fail(const char* what) { throw std::runtime_error(std::string("DTLS certificate: ") + what); }

bool setRandomSerial(X509* certificate) {
  // 63 random bits: positive, unique enough for a certificate nobody stores.
  BIGNUM* serial = BN_new();
  const bool ok = serial && BN_rand(serial, 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 &&
                  BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(certificate)) != nullptr;
  BN_free(serial);
  return ok;
}

bool setSubjectAndIssuer(X509* certificate) {
  X509_NAME* name = X509_get_subject_name(certificate);
  const auto* cn = reinterpret_cast<const unsigned char*>("onair");
  return X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, cn, -1, -1, 0) == 1 &&
         X509_set_issuer_name(certificate, name) == 1;
}

}  // namespace

std::shared_ptr<const DtlsCertificate> DtlsCertificate::generate() {
  std::unique_ptr<EVP_PKEY, KeyFree> key(EVP_EC_gen("P-256"));
  if (!key) fail("EC key generation failed");

  std::unique_ptr<X509, CertificateFree> certificate(X509_new());
  if (!certificate) fail("X509_new failed");
  if (X509_set_version(certificate.get(), 2) != 1 || !setRandomSerial(certificate.get()) ||
      !X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -kValidBeforeNowSeconds) ||
      !X509_gmtime_adj(X509_getm_notAfter(certificate.get()), kValidAfterNowSeconds) ||
      X509_set_pubkey(certificate.get(), key.get()) != 1 || !setSubjectAndIssuer(certificate.get())) {
    fail("filling the certificate failed");
  }
  if (X509_sign(certificate.get(), key.get(), EVP_sha256()) <= 0) fail("signing failed");

  auto fingerprint = DtlsFingerprint::of(certificate.get(), DtlsFingerprint::Algorithm::Sha256);
  if (!fingerprint) fail("fingerprint failed");
  return std::shared_ptr<const DtlsCertificate>(
      new DtlsCertificate(certificate.release(), key.release(), std::move(*fingerprint)));
}

DtlsCertificate::DtlsCertificate(X509* certificate, EVP_PKEY* key, DtlsFingerprint fingerprint)
    : certificate_(certificate), key_(key), fingerprint_(std::move(fingerprint)) {}

DtlsCertificate::~DtlsCertificate() {
  X509_free(certificate_);
  EVP_PKEY_free(key_);
}

}  // namespace onair::rtc::dtls
