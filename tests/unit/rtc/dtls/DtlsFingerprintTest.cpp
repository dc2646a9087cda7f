#include "rtc/dtls/DtlsFingerprint.hpp"

#include <gtest/gtest.h>

#include "rtc/dtls/DtlsCertificate.hpp"

using namespace onair::rtc::dtls;

TEST(DtlsCertificate, HasASha256FingerprintInSdpFormThatMatchesIt) {
  const auto certificate = DtlsCertificate::generate();
  const std::string text = certificate->fingerprint().toString();
  ASSERT_EQ(text.size(), std::string("sha-256 ").size() + 32 * 3 - 1);
  EXPECT_EQ(text.rfind("sha-256 ", 0), 0u);
  EXPECT_TRUE(certificate->fingerprint().matches(certificate->certificate()));
  EXPECT_FALSE(certificate->fingerprint().matches(DtlsCertificate::generate()->certificate()));
}

TEST(DtlsFingerprint, ParsesWhatItWritesWhateverTheCase) {
  const auto certificate = DtlsCertificate::generate();
  const std::string text = certificate->fingerprint().toString();
  EXPECT_EQ(DtlsFingerprint::parse(text), certificate->fingerprint());

  std::string lower = text;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  lower.replace(0, 7, "SHA-256");
  const auto parsed = DtlsFingerprint::parse(lower);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_TRUE(parsed->matches(certificate->certificate()));
}

TEST(DtlsFingerprint, OtherHashFunctionsMatchTheSameCertificate) {
  const auto certificate = DtlsCertificate::generate();
  for (const auto algorithm : {DtlsFingerprint::Algorithm::Sha1, DtlsFingerprint::Algorithm::Sha384,
                               DtlsFingerprint::Algorithm::Sha512}) {
    const auto fingerprint = DtlsFingerprint::of(certificate->certificate(), algorithm);
    ASSERT_TRUE(fingerprint.has_value());
    const auto parsed = DtlsFingerprint::parse(fingerprint->toString());
    ASSERT_TRUE(parsed.has_value()) << fingerprint->toString();
    EXPECT_TRUE(parsed->matches(certificate->certificate()));
  }
}

TEST(DtlsFingerprint, RefusesMalformedOrWeakFingerprints) {
  const std::string digest = DtlsCertificate::generate()->fingerprint().toString().substr(8);
  EXPECT_FALSE(DtlsFingerprint::parse(""));
  EXPECT_FALSE(DtlsFingerprint::parse("sha-256"));
  EXPECT_FALSE(DtlsFingerprint::parse("md5 " + digest.substr(0, 47)));
  EXPECT_FALSE(DtlsFingerprint::parse("sha-256 " + digest.substr(3)));         // a byte short
  EXPECT_FALSE(DtlsFingerprint::parse("sha-256 " + digest + ":00"));           // a byte long
  EXPECT_FALSE(DtlsFingerprint::parse("sha-1 " + digest));                     // length of another function
  std::string badHex = digest;
  badHex[0] = 'G';
  EXPECT_FALSE(DtlsFingerprint::parse("sha-256 " + badHex));
  std::string badSeparator = digest;
  badSeparator[2] = '-';
  EXPECT_FALSE(DtlsFingerprint::parse("sha-256 " + badSeparator));
}
