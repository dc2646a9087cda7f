#include "rtc/ice/IceLiteResponder.hpp"

#include <gtest/gtest.h>

#include <set>

#include "rtc/ice/StunBuilder.hpp"
#include "rtc/ice/StunMessage.hpp"
#include "StunTestData.hpp"
#include "util/Random.hpp"

using namespace onair::rtc::ice;
using Verdict = IceLiteResponder::Verdict;

namespace {

struct Credentials {
  std::string localUfrag = onair::util::randomId("L", 6);
  std::string localPassword = onair::util::randomId("", 18);
  std::string remoteUfrag = onair::util::randomId("R", 6);
};

const StunMessage::TransactionId kTransaction{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

// A connectivity check as a controlling full agent (a browser) sends it; `edit` can drop or add
// attributes before the integrity and fingerprint are written.
struct Check {
  std::string username;
  std::string password;
  bool priority = true;
  bool useCandidate = false;
  bool controlled = false;
  bool integrity = true;
  bool fingerprint = true;
  uint16_t unknownAttribute = 0;
  StunMessage::Class messageClass = StunMessage::Class::Request;
  uint16_t method = StunMessage::kBindingMethod;

  std::vector<uint8_t> bytes() const {
    std::vector<uint8_t> out;
    StunBuilder b(out, messageClass, method, kTransaction);
    b.username(username);
    if (priority) b.priority(0x6E7F1EFF);
    if (controlled) b.iceControlled(42);
    else b.iceControlling(42);
    if (useCandidate) b.useCandidate();
    if (unknownAttribute) b.attribute(unknownAttribute, {});
    if (integrity) b.integrity(password);
    if (fingerprint) b.fingerprint();
    return out;
  }
};

class IceLiteResponderTest : public ::testing::Test {
 protected:
  Credentials creds;
  IceLiteResponder responder{creds.localUfrag, creds.localPassword};
  StunAddress source = *StunAddress::fromText("198.51.100.7", 61000);

  Check check() const {
    Check c;
    c.username = creds.localUfrag + ":" + creds.remoteUfrag;
    c.password = creds.localPassword;
    return c;
  }

  // The response of the last handle(), parsed (it must always parse).
  StunMessage parsed(const IceLiteResponder::Outcome& outcome) {
    EXPECT_FALSE(outcome.response.empty());
    auto m = StunMessage::parse(outcome.response);
    EXPECT_TRUE(m);
    EXPECT_TRUE(m->checkFingerprint());
    EXPECT_EQ(m->transactionId(), kTransaction);
    return *m;
  }

  void expectError(const IceLiteResponder::Outcome& outcome, Verdict verdict, uint16_t code, bool authenticated) {
    EXPECT_EQ(outcome.verdict, verdict) << IceLiteResponder::name(outcome.verdict);
    const StunMessage m = parsed(outcome);
    EXPECT_EQ(m.messageClass(), StunMessage::Class::ErrorResponse);
    ASSERT_TRUE(m.errorCode());
    EXPECT_EQ(m.errorCode()->code, code);
    EXPECT_EQ(m.hasIntegrity(), authenticated);
    if (authenticated) {
      EXPECT_TRUE(m.checkIntegrity(creds.localPassword));
    }
    EXPECT_FALSE(outcome.nominated);
  }

  void expectDropped(const IceLiteResponder::Outcome& outcome, Verdict verdict) {
    EXPECT_EQ(outcome.verdict, verdict) << IceLiteResponder::name(outcome.verdict);
    EXPECT_TRUE(outcome.response.empty());
    EXPECT_FALSE(outcome.nominated);
  }
};

}  // namespace

TEST_F(IceLiteResponderTest, AnswersAValidCheckWithTheSourceAddress) {
  responder.setRemoteUfrag(creds.remoteUfrag);
  const auto outcome = responder.handle(check().bytes(), source);
  EXPECT_EQ(outcome.verdict, Verdict::Answered);
  EXPECT_FALSE(outcome.nominated);
  EXPECT_EQ(outcome.priority, 0x6E7F1EFFu);
  const StunMessage m = parsed(outcome);
  EXPECT_EQ(m.messageClass(), StunMessage::Class::SuccessResponse);
  EXPECT_EQ(m.method(), StunMessage::kBindingMethod);
  EXPECT_EQ(m.xorMappedAddress(), source);
  EXPECT_TRUE(m.checkIntegrity(creds.localPassword));
}

TEST_F(IceLiteResponderTest, ReportsNominationByUseCandidate) {
  Check c = check();
  c.useCandidate = true;
  const auto ipv6 = *StunAddress::fromText("2001:db8::7", 9);
  const auto outcome = responder.handle(c.bytes(), ipv6);
  EXPECT_EQ(outcome.verdict, Verdict::Answered);
  EXPECT_TRUE(outcome.nominated);
  EXPECT_EQ(parsed(outcome).xorMappedAddress(), ipv6);
}

TEST_F(IceLiteResponderTest, AcceptsAnyRemoteUfragUntilItIsKnown) {
  Check c = check();
  c.username = creds.localUfrag + ":someone";
  EXPECT_EQ(responder.handle(c.bytes(), source).verdict, Verdict::Answered);
  responder.setRemoteUfrag(creds.remoteUfrag);
  expectError(responder.handle(c.bytes(), source), Verdict::WrongUsername, 401, false);
  EXPECT_EQ(responder.handle(check().bytes(), source).verdict, Verdict::Answered);
}

TEST_F(IceLiteResponderTest, RefusesWrongUsernamesWith401) {
  for (const std::string& username : {std::string("other:") + creds.remoteUfrag, creds.localUfrag,
                                     creds.localUfrag + ":", creds.localUfrag + "x:" + creds.remoteUfrag,
                                     creds.remoteUfrag + ":" + creds.localUfrag}) {
    Check c = check();
    c.username = username;
    expectError(responder.handle(c.bytes(), source), Verdict::WrongUsername, 401, false);
  }
}

TEST_F(IceLiteResponderTest, RefusesABadIntegrityWith401) {
  Check c = check();
  c.password = creds.localPassword + "x";
  expectError(responder.handle(c.bytes(), source), Verdict::BadIntegrity, 401, false);
}

TEST_F(IceLiteResponderTest, RefusesMissingAttributesWith400) {
  Check noPriority = check();
  noPriority.priority = false;
  expectError(responder.handle(noPriority.bytes(), source), Verdict::MissingAttribute, 400, false);

  Check noIntegrity = check();
  noIntegrity.integrity = false;
  expectError(responder.handle(noIntegrity.bytes(), source), Verdict::MissingAttribute, 400, false);

  std::vector<uint8_t> noUsername;
  StunBuilder(noUsername, StunMessage::Class::Request, StunMessage::kBindingMethod, kTransaction)
      .priority(1)
      .integrity(creds.localPassword)
      .fingerprint();
  expectError(responder.handle(noUsername, source), Verdict::MissingAttribute, 400, false);
}

TEST_F(IceLiteResponderTest, RefusesOtherMethodsWith400) {
  Check allocate = check();
  allocate.method = 0x003;
  expectError(responder.handle(allocate.bytes(), source), Verdict::NotBinding, 400, false);
}

TEST_F(IceLiteResponderTest, AnswersUnknownRequiredAttributesWith420) {
  Check c = check();
  c.unknownAttribute = 0x0042;
  expectError(responder.handle(c.bytes(), source), Verdict::UnknownAttribute, 420, true);
}

TEST_F(IceLiteResponderTest, AnswersAControlledPeerWithRoleConflict) {
  Check c = check();
  c.controlled = true;
  expectError(responder.handle(c.bytes(), source), Verdict::RoleConflict, 487, true);
}

TEST_F(IceLiteResponderTest, AnswersTheRfc5769SampleRequestWithRoleConflict) {
  // The sample is a check from a controlled agent to "evtj" whose password is the vector's.
  IceLiteResponder evtj("evtj", std::string(testdata::kRfc5769Password));
  evtj.setRemoteUfrag("h6vY");
  const auto outcome = evtj.handle(testdata::rfc5769Request(), source);
  EXPECT_EQ(outcome.verdict, Verdict::RoleConflict);
  const auto m = StunMessage::parse(outcome.response);
  ASSERT_TRUE(m && m->errorCode());
  EXPECT_EQ(m->errorCode()->code, 487);
  EXPECT_TRUE(m->checkIntegrity(testdata::kRfc5769Password));
}

TEST_F(IceLiteResponderTest, DropsWhatIsNotAnAuthenticatableRequest) {
  expectDropped(responder.handle(std::vector<uint8_t>(20, 0), source), Verdict::Malformed);
  expectDropped(responder.handle(std::vector<uint8_t>{0x00, 0x01}, source), Verdict::Malformed);

  Check noFingerprint = check();
  noFingerprint.fingerprint = false;
  expectDropped(responder.handle(noFingerprint.bytes(), source), Verdict::BadFingerprint);

  auto badFingerprint = check().bytes();
  badFingerprint.back() ^= 0xFF;
  expectDropped(responder.handle(badFingerprint, source), Verdict::BadFingerprint);

  Check keepalive = check();
  keepalive.messageClass = StunMessage::Class::Indication;
  expectDropped(responder.handle(keepalive.bytes(), source), Verdict::Indication);

  for (auto c : {StunMessage::Class::SuccessResponse, StunMessage::Class::ErrorResponse}) {
    Check response = check();
    response.messageClass = c;
    expectDropped(responder.handle(response.bytes(), source), Verdict::NotRequest);
  }
}

TEST_F(IceLiteResponderTest, EachOutcomeDescribesOnlyItsOwnDatagram) {
  const auto answered = responder.handle(check().bytes(), source);
  ASSERT_EQ(answered.verdict, Verdict::Answered);
  const auto dropped = responder.handle(std::vector<uint8_t>(8, 0), source);
  EXPECT_TRUE(dropped.response.empty());
  Check wrong = check();
  wrong.password = "nope";
  expectError(responder.handle(wrong.bytes(), source), Verdict::BadIntegrity, 401, false);
}

TEST(IceLiteResponder, VerdictNamesAreDistinctLabels) {
  std::set<std::string_view> names;
  for (int v = 0; v <= static_cast<int>(Verdict::RoleConflict); ++v) {
    const auto name = IceLiteResponder::name(static_cast<Verdict>(v));
    EXPECT_NE(name, "unknown");
    EXPECT_TRUE(names.insert(name).second) << name;
  }
}
