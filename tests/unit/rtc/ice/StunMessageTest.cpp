#include "rtc/ice/StunMessage.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "rtc/ice/StunBuilder.hpp"
#include "StunTestData.hpp"

using namespace onair::rtc::ice;
using namespace onair::rtc::ice::testdata;
using ParseError = StunMessage::ParseError;

namespace {

StunMessage::TransactionId transactionId(std::string_view hexText) {
  StunMessage::TransactionId id{};
  const auto bytes = hex(hexText);
  std::copy_n(bytes.begin(), id.size(), id.begin());
  return id;
}

const StunMessage::TransactionId kTransaction{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};

ParseError parseError(const std::vector<uint8_t>& bytes) {
  ParseError error = ParseError::None;
  EXPECT_FALSE(StunMessage::parse(bytes, error).has_value());
  return error;
}

void setLength(std::vector<uint8_t>& m, size_t length) {
  m[2] = uint8_t(length >> 8);
  m[3] = uint8_t(length);
}

// A binding request with every attribute ICE uses, written by the builder.
std::vector<uint8_t> fullRequest(std::string_view password = "pass-word-0123456789ab") {
  std::vector<uint8_t> out;
  StunBuilder(out, StunMessage::Class::Request, StunMessage::kBindingMethod, transactionId("0102030405060708090a0b0c"))
      .username("LFRG:RFRG")
      .priority(0x6E0001FF)
      .iceControlling(0x0123456789ABCDEFull)
      .useCandidate()
      .integrity(password)
      .fingerprint();
  return out;
}

// The offset of the first attribute of `type`, or 0.
size_t findAttribute(const std::vector<uint8_t>& m, uint16_t type) {
  for (size_t pos = StunMessage::kHeaderBytes; pos + 4 <= m.size();) {
    const uint16_t t = uint16_t((m[pos] << 8) | m[pos + 1]);
    const size_t length = size_t((m[pos + 2] << 8) | m[pos + 3]);
    if (t == type) return pos;
    pos += 4 + ((length + 3) & ~size_t(3));
  }
  return 0;
}

}  // namespace

TEST(StunMessage, ParsesTheRfc5769SampleRequest) {
  const auto bytes = rfc5769Request();
  const auto m = StunMessage::parse(bytes);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->isBindingRequest());
  EXPECT_EQ(m->transactionId(), transactionId(kRfc5769TransactionId));
  EXPECT_EQ(m->software(), "STUN test client");
  EXPECT_EQ(m->username(), "evtj:h6vY");
  EXPECT_EQ(m->priority(), 0x6E0001FFu);
  EXPECT_EQ(m->iceControlled(), 0x932FF9B151263B36ull);
  EXPECT_FALSE(m->iceControlling());
  EXPECT_FALSE(m->useCandidate());
  EXPECT_TRUE(m->unknownRequired().empty());
  EXPECT_TRUE(m->checkIntegrity(kRfc5769Password));
  EXPECT_TRUE(m->checkFingerprint());
  EXPECT_FALSE(m->checkIntegrity("VOkJxbRl1RmTxUk/WvJxBT"));
  EXPECT_FALSE(m->checkIntegrity(""));
}

TEST(StunMessage, RebuildsTheRfc5769SampleRequestByteForByte) {
  // The vector pads USERNAME with spaces, which RFC 5389 allowed.
  std::vector<uint8_t> out;
  StunBuilder b(out, StunMessage::Class::Request, StunMessage::kBindingMethod, transactionId(kRfc5769TransactionId));
  b.padWith(' ')
      .software("STUN test client")
      .priority(0x6E0001FF)
      .iceControlled(0x932FF9B151263B36ull)
      .username("evtj:h6vY")
      .integrity(kRfc5769Password)
      .fingerprint();
  EXPECT_TRUE(b.ok());
  EXPECT_EQ(out, rfc5769Request());
}

TEST(StunMessage, ParsesAndRebuildsTheRfc5769Ipv4Response) {
  const auto bytes = rfc5769Ipv4Response();
  const auto m = StunMessage::parse(bytes);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->messageClass(), StunMessage::Class::SuccessResponse);
  EXPECT_EQ(m->method(), StunMessage::kBindingMethod);
  EXPECT_EQ(m->software(), "test vector");
  ASSERT_TRUE(m->xorMappedAddress());
  EXPECT_EQ(*m->xorMappedAddress(), StunAddress::fromText("192.0.2.1", 32853));
  EXPECT_EQ(m->xorMappedAddress()->ipText(), "192.0.2.1");
  EXPECT_TRUE(m->checkIntegrity(kRfc5769Password));
  EXPECT_TRUE(m->checkFingerprint());

  std::vector<uint8_t> out;
  StunBuilder(out, StunMessage::Class::SuccessResponse, StunMessage::kBindingMethod, m->transactionId())
      .padWith(' ')
      .software("test vector")
      .xorMappedAddress(*m->xorMappedAddress())
      .integrity(kRfc5769Password)
      .fingerprint();
  EXPECT_EQ(out, bytes);
}

TEST(StunMessage, ParsesAndRebuildsTheRfc5769Ipv6Response) {
  const auto bytes = rfc5769Ipv6Response();
  const auto m = StunMessage::parse(bytes);
  ASSERT_TRUE(m);
  ASSERT_TRUE(m->xorMappedAddress());
  EXPECT_EQ(m->xorMappedAddress()->family, StunAddress::Family::V6);
  EXPECT_EQ(*m->xorMappedAddress(), StunAddress::fromText("2001:db8:1234:5678:11:2233:4455:6677", 32853));
  EXPECT_TRUE(m->checkIntegrity(kRfc5769Password));
  EXPECT_TRUE(m->checkFingerprint());

  std::vector<uint8_t> out;
  StunBuilder(out, StunMessage::Class::SuccessResponse, StunMessage::kBindingMethod, m->transactionId())
      .padWith(' ')
      .software("test vector")
      .xorMappedAddress(*m->xorMappedAddress())
      .integrity(kRfc5769Password)
      .fingerprint();
  EXPECT_EQ(out, bytes);
}

TEST(StunMessage, WhatTheBuilderWritesParsesBack) {
  const auto bytes = fullRequest("secret-password");
  const auto m = StunMessage::parse(bytes);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->isBindingRequest());
  EXPECT_EQ(m->transactionId(), transactionId("0102030405060708090a0b0c"));
  EXPECT_EQ(m->username(), "LFRG:RFRG");
  EXPECT_EQ(m->priority(), 0x6E0001FFu);
  EXPECT_EQ(m->iceControlling(), 0x0123456789ABCDEFull);
  EXPECT_TRUE(m->useCandidate());
  EXPECT_TRUE(m->hasIntegrity());
  EXPECT_TRUE(m->checkIntegrity("secret-password"));
  EXPECT_FALSE(m->checkIntegrity("secret-passwore"));
  EXPECT_TRUE(m->checkFingerprint());

  for (const auto* ip : {"203.0.113.9", "2001:db8::42"}) {
    std::vector<uint8_t> response;
    const auto source = *StunAddress::fromText(ip, 50000);
    StunBuilder::bindingSuccess(response, *m, source, "local-password");
    const auto r = StunMessage::parse(response);
    ASSERT_TRUE(r) << ip;
    EXPECT_EQ(r->messageClass(), StunMessage::Class::SuccessResponse);
    EXPECT_EQ(r->transactionId(), m->transactionId());
    EXPECT_EQ(r->xorMappedAddress(), source);
    EXPECT_TRUE(r->checkIntegrity("local-password"));
    EXPECT_TRUE(r->checkFingerprint());
  }
}

TEST(StunMessage, ErrorResponsesCarryTheCodeAndIntegrityOnlyWhenAsked) {
  const auto request = fullRequest();
  const auto m = StunMessage::parse(request);
  ASSERT_TRUE(m);

  std::vector<uint8_t> out;
  StunBuilder::errorResponse(out, *m, 401, {});
  auto r = StunMessage::parse(out);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->messageClass(), StunMessage::Class::ErrorResponse);
  EXPECT_EQ(r->transactionId(), m->transactionId());
  ASSERT_TRUE(r->errorCode());
  EXPECT_EQ(r->errorCode()->code, 401);
  EXPECT_EQ(r->errorCode()->reason, "Unauthenticated");
  EXPECT_FALSE(r->hasIntegrity());
  EXPECT_TRUE(r->checkFingerprint());

  StunBuilder::errorResponse(out, *m, 400, {});
  r = StunMessage::parse(out);
  ASSERT_TRUE(r && r->errorCode());
  EXPECT_EQ(r->errorCode()->code, 400);
  EXPECT_EQ(r->errorCode()->reason, "Bad Request");

  StunBuilder::errorResponse(out, *m, 487, "local-password");
  r = StunMessage::parse(out);
  ASSERT_TRUE(r && r->errorCode());
  EXPECT_EQ(r->errorCode()->code, 487);
  EXPECT_EQ(r->errorCode()->reason, "Role Conflict");
  EXPECT_TRUE(r->checkIntegrity("local-password"));
  EXPECT_TRUE(r->checkFingerprint());

  const uint16_t unknown[] = {0x0042, 0x7FFF};
  StunBuilder::errorResponse(out, *m, 420, "local-password", unknown);
  r = StunMessage::parse(out);
  ASSERT_TRUE(r && r->errorCode());
  EXPECT_EQ(r->errorCode()->code, 420);
  const size_t at = findAttribute(out, stunattr::UnknownAttributes);
  ASSERT_NE(at, 0u);
  EXPECT_EQ(std::vector<uint8_t>(out.begin() + at, out.begin() + at + 8),
            (std::vector<uint8_t>{0x00, 0x0A, 0x00, 0x04, 0x00, 0x42, 0x7F, 0xFF}));
  EXPECT_TRUE(r->checkIntegrity("local-password"));
}

TEST(StunMessage, RefusesBadHeaders) {
  const auto good = rfc5769Request();
  EXPECT_EQ(parseError(std::vector<uint8_t>(good.begin(), good.begin() + 19)), ParseError::TooShort);
  EXPECT_EQ(parseError({}), ParseError::TooShort);

  auto bad = good;
  bad[4] = 0x22;  // the cookie
  EXPECT_EQ(parseError(bad), ParseError::BadCookie);

  bad = good;
  bad[0] |= 0x80;  // the two top bits must be zero: this is RTP's range
  EXPECT_EQ(parseError(bad), ParseError::NotStun);

  bad = good;
  bad.pop_back();  // truncated: Length says more than there is
  EXPECT_EQ(parseError(bad), ParseError::BadLength);

  bad = good;
  bad.insert(bad.end(), 4, 0);  // trailing bytes Length does not count
  EXPECT_EQ(parseError(bad), ParseError::BadLength);

  bad = std::vector<uint8_t>(good.begin(), good.begin() + 22);
  setLength(bad, 2);  // Length matches the datagram but is not a multiple of 4
  EXPECT_EQ(parseError(bad), ParseError::BadLength);
}

TEST(StunMessage, RefusesOversizeMessages) {
  const auto sample = rfc5769Request();
  std::vector<uint8_t> big(StunMessage::kMaxBytes + 4, 0);
  std::copy_n(sample.begin(), 20, big.begin());
  setLength(big, big.size() - 20);
  EXPECT_EQ(parseError(big), ParseError::TooLong);

  // The largest accepted: one datagram of only comprehension-optional padding attributes.
  std::vector<uint8_t> fits(StunMessage::kMaxBytes, 0);
  std::copy_n(sample.begin(), 20, fits.begin());
  setLength(fits, fits.size() - 20);
  fits[20] = 0x80;
  fits[21] = 0x30;
  fits[22] = uint8_t((fits.size() - 24) >> 8);
  fits[23] = uint8_t(fits.size() - 24);
  EXPECT_TRUE(StunMessage::parse(fits));

  // The builder will not write past one datagram either.
  std::vector<uint8_t> out;
  StunBuilder b(out, StunMessage::Class::Request, StunMessage::kBindingMethod, StunMessage::TransactionId{});
  b.software(std::string(1000, 'x')).software(std::string(1000, 'y'));
  EXPECT_FALSE(b.ok());
  EXPECT_LE(out.size(), StunMessage::kMaxBytes);
  EXPECT_TRUE(StunMessage::parse(out));
}

TEST(StunMessage, RefusesAttributesThatRunPastTheEndOrMissTheirPadding) {
  // USERNAME (9 bytes) with its padding cut off: the message ends inside the padding.
  const auto sample = rfc5769Request();
  std::vector<uint8_t> m(sample.begin(), sample.begin() + 20);
  const uint8_t username[] = {0x00, 0x06, 0x00, 0x09, 'e', 'v', 't', 'j', ':', 'h', '6', 'v', 'Y'};
  m.insert(m.end(), std::begin(username), std::end(username));
  m.insert(m.end(), 3, 0);  // padded: fine
  setLength(m, m.size() - 20);
  EXPECT_TRUE(StunMessage::parse(m));

  auto bad = m;
  bad[23] = 0x0D;  // declared 13 bytes: padded to 16, past the end
  EXPECT_EQ(parseError(bad), ParseError::TruncatedAttribute);

  bad = m;
  bad[22] = 0xFF;  // declared length far past the end
  EXPECT_EQ(parseError(bad), ParseError::TruncatedAttribute);
}

TEST(StunMessage, RefusesKnownAttributesOfTheWrongSize) {
  const auto with = [](uint16_t type, std::vector<uint8_t> value) {
    std::vector<uint8_t> out;
    StunBuilder(out, StunMessage::Class::Request, StunMessage::kBindingMethod, kTransaction)
        .attribute(type, value);
    return out;
  };
  EXPECT_EQ(parseError(with(stunattr::Priority, {1, 2, 3})), ParseError::BadAttributeValue);
  EXPECT_EQ(parseError(with(stunattr::UseCandidate, {1})), ParseError::BadAttributeValue);
  EXPECT_EQ(parseError(with(stunattr::IceControlling, {1, 2, 3, 4})), ParseError::BadAttributeValue);
  EXPECT_EQ(parseError(with(stunattr::MessageIntegrity, std::vector<uint8_t>(19, 0))), ParseError::BadAttributeValue);
  EXPECT_EQ(parseError(with(stunattr::Fingerprint, {1, 2})), ParseError::BadAttributeValue);
  EXPECT_EQ(parseError(with(stunattr::XorMappedAddress, {0, 3, 0, 0, 1, 2, 3, 4})), ParseError::BadAttributeValue);
  EXPECT_EQ(parseError(with(stunattr::XorMappedAddress, {0, 2, 0, 0, 1, 2, 3, 4})), ParseError::BadAttributeValue);
  EXPECT_EQ(parseError(with(stunattr::ErrorCode, {0, 0, 7, 0})), ParseError::BadAttributeValue);
  EXPECT_EQ(parseError(with(stunattr::ErrorCode, {0, 0, 4, 100})), ParseError::BadAttributeValue);
  EXPECT_EQ(parseError(with(stunattr::Username, std::vector<uint8_t>(513, 'u'))), ParseError::BadAttributeValue);
  EXPECT_TRUE(StunMessage::parse(with(stunattr::Username, std::vector<uint8_t>(512, 'u'))));
}

TEST(StunMessage, NothingMayFollowTheFingerprint) {
  auto m = rfc5769Request();
  const uint8_t extra[] = {0x80, 0x22, 0x00, 0x00};
  m.insert(m.end(), std::begin(extra), std::end(extra));
  setLength(m, m.size() - 20);
  EXPECT_EQ(parseError(m), ParseError::AfterFingerprint);
}

TEST(StunMessage, IgnoresWhatFollowsMessageIntegrityButTheFingerprint) {
  std::vector<uint8_t> out;
  StunBuilder(out, StunMessage::Class::Request, StunMessage::kBindingMethod, kTransaction)
      .username("a:b")
      .integrity("pw")
      .username("c:d")
      .priority(7)
      .attribute(0x0042, {})
      .fingerprint();
  const auto m = StunMessage::parse(out);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->username(), "a:b");
  EXPECT_FALSE(m->priority());
  EXPECT_TRUE(m->unknownRequired().empty());
  EXPECT_TRUE(m->checkIntegrity("pw"));
  EXPECT_TRUE(m->checkFingerprint());
}

TEST(StunMessage, SkipsUnknownOptionalAttributesAndListsUnknownRequiredOnes) {
  std::vector<uint8_t> out;
  StunBuilder(out, StunMessage::Class::Request, StunMessage::kBindingMethod, kTransaction)
      .attribute(0xC001, std::vector<uint8_t>{1, 2, 3})  // comprehension-optional: skipped
      .attribute(0x0042, std::vector<uint8_t>{1})        // comprehension-required: listed
      .attribute(0x7FFF, {})
      .attribute(0x0042, {})  // listed once
      .username("first:one")
      .username("second:one");  // of a repeated attribute only the first counts
  const auto m = StunMessage::parse(out);
  ASSERT_TRUE(m);
  EXPECT_EQ(std::vector<uint16_t>(m->unknownRequired().begin(), m->unknownRequired().end()),
            (std::vector<uint16_t>{0x0042, 0x7FFF}));
  EXPECT_EQ(m->username(), "first:one");
  EXPECT_FALSE(m->hasIntegrity());
  EXPECT_FALSE(m->hasFingerprint());
  EXPECT_FALSE(m->checkIntegrity("anything"));
  EXPECT_FALSE(m->checkFingerprint());
}

TEST(StunMessage, ATamperedByteFailsBothChecks) {
  auto m = rfc5769Request();
  m[53] ^= 0x01;  // inside ICE-CONTROLLED's tie breaker
  const auto parsed = StunMessage::parse(m);
  ASSERT_TRUE(parsed);
  EXPECT_FALSE(parsed->checkIntegrity(kRfc5769Password));
  EXPECT_FALSE(parsed->checkFingerprint());

  m = rfc5769Request();
  m.back() ^= 0x01;  // the fingerprint itself: integrity still holds
  const auto fingerprintOnly = StunMessage::parse(m);
  ASSERT_TRUE(fingerprintOnly);
  EXPECT_TRUE(fingerprintOnly->checkIntegrity(kRfc5769Password));
  EXPECT_FALSE(fingerprintOnly->checkFingerprint());
}

TEST(StunMessage, DecodesEveryClassAndMethodBit) {
  for (uint16_t method : {0x001, 0x003, 0x00F, 0x070, 0xF80, 0xFFF}) {
    for (auto c : {StunMessage::Class::Request, StunMessage::Class::Indication, StunMessage::Class::SuccessResponse,
                   StunMessage::Class::ErrorResponse}) {
      std::vector<uint8_t> out;
      StunBuilder(out, c, method, kTransaction);
      const auto m = StunMessage::parse(out);
      ASSERT_TRUE(m);
      EXPECT_EQ(m->method(), method);
      EXPECT_EQ(m->messageClass(), c);
    }
  }
  // Binding success response is 0x0101, a Binding indication 0x0011 (RFC 8489 §5, §18.2).
  std::vector<uint8_t> out;
  StunBuilder(out, StunMessage::Class::SuccessResponse, 1, kTransaction);
  EXPECT_EQ(out[0], 0x01);
  EXPECT_EQ(out[1], 0x01);
  StunBuilder(out, StunMessage::Class::Indication, 1, kTransaction);
  EXPECT_EQ(out[0], 0x00);
  EXPECT_EQ(out[1], 0x11);
}

TEST(StunMessage, DescribesEveryParseError) {
  for (auto e : {ParseError::TooShort, ParseError::TooLong, ParseError::NotStun, ParseError::BadCookie,
                 ParseError::BadLength, ParseError::TruncatedAttribute, ParseError::BadAttributeValue,
                 ParseError::AfterFingerprint}) {
    EXPECT_NE(StunMessage::describe(e), "unknown");
  }
}
