#include "rtc/dtls/DtlsFingerprint.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <array>
#include <cctype>

namespace onair::rtc::dtls {

namespace {

struct AlgorithmName {
  DtlsFingerprint::Algorithm algorithm;
  std::string_view name;
  size_t digestBytes;
};

constexpr std::array<AlgorithmName, 5> kAlgorithms{{
    {DtlsFingerprint::Algorithm::Sha1, "sha-1", 20},
    {DtlsFingerprint::Algorithm::Sha224, "sha-224", 28},
    {DtlsFingerprint::Algorithm::Sha256, "sha-256", 32},
    {DtlsFingerprint::Algorithm::Sha384, "sha-384", 48},
    {DtlsFingerprint::Algorithm::Sha512, "sha-512", 64},
}};

const AlgorithmName& info(DtlsFingerprint::Algorithm algorithm) {
  return kAlgorithms[static_cast<size_t>(algorithm)];
}

const EVP_MD* digestOf(DtlsFingerprint::Algorithm algorithm) {
  switch (algorithm) {
    case DtlsFingerprint::Algorithm::Sha1: return EVP_sha1();
    case DtlsFingerprint::Algorithm::Sha224: return EVP_sha224();
    case DtlsFingerprint::Algorithm::Sha256: return EVP_sha256();
    case DtlsFingerprint::Algorithm::Sha384: return EVP_sha384();
    case DtlsFingerprint::Algorithm::Sha512: return EVP_sha512();
  }
  return EVP_sha256();
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

DtlsFingerprint::DtlsFingerprint(Algorithm algorithm, std::vector<uint8_t> digest)
    : algorithm_(algorithm), digest_(std::move(digest)) {}

std::optional<DtlsFingerprint> DtlsFingerprint::parse(std::string_view text) {
  const size_t space = text.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  const std::string_view name = text.substr(0, space);
  std::string_view hex = text.substr(space);
  while (!hex.empty() && hex.front() == ' ') hex.remove_prefix(1);

  const AlgorithmName* found = nullptr;
  for (const auto& candidate : kAlgorithms) {
    if (equalsIgnoringCase(candidate.name, name)) found = &candidate;
  }
  if (!found) return std::nullopt;
  // "HH" followed by ":HH" per remaining byte: exactly 3n - 1 characters.
  if (hex.size() != found->digestBytes * 3 - 1) return std::nullopt;

  std::vector<uint8_t> digest(found->digestBytes);
  for (size_t i = 0; i < digest.size(); ++i) {
    const size_t at = i * 3;
    if (i > 0 && hex[at - 1] != ':') return std::nullopt;
    const int high = hexValue(hex[at]), low = hexValue(hex[at + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    digest[i] = static_cast<uint8_t>(high << 4 | low);
  }
  return DtlsFingerprint(found->algorithm, std::move(digest));
}

std::optional<DtlsFingerprint> DtlsFingerprint::of(X509* certificate, Algorithm algorithm) {
  if (!certificate) return std::nullopt;
  std::vector<uint8_t> digest(EVP_MAX_MD_SIZE);
  unsigned int length = 0;
  if (X509_digest(certificate, digestOf(algorithm), digest.data(), &length) != 1) return std::nullopt;
  digest.resize(length);
  return DtlsFingerprint(algorithm, std::move(digest));
}

bool DtlsFingerprint::matches(X509* certificate) const {
  const auto actual = of(certificate, algorithm_);
  return actual && actual->digest_.size() == digest_.size() &&
         CRYPTO_memcmp(actual->digest_.data(), digest_.data(), digest_.size()) == 0;
}

std::string DtlsFingerprint::toString() const {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out(info(algorithm_).name);
  out.reserve(out.size() + 1 + digest_.size() * 3);
  out += ' ';
  for (size_t i = 0; i < digest_.size(); ++i) {
    if (i > 0) out += ':';
    out += kHex[digest_[i] >> 4];
    out += kHex[digest_[i] & 0x0f];
  }
  return out;
}

}  // namespace onair::rtc::dtls
