#include "rtc/dtls/DtlsTransport.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "DtlsPair.hpp"

using namespace onair::rtc::dtls;
using onair::rtc::dtls::testing::DtlsPair;
using onair::rtc::dtls::testing::Side;
using onair::rtc::srtp::SrtpProfile;
using onair::rtc::srtp::SrtpProfileInfo;

namespace {

// Runs both sides' retransmission timers until both are connected or `rounds` timeouts passed:
// waits for the earlier deadline (tens of ms with the test's options), fires it, delivers.
void driveTimers(DtlsPair& pair, int rounds, const std::function<bool(Side, const std::vector<uint8_t>&)>& drop) {
  for (int i = 0; i < rounds && !pair.bothConnected(); ++i) {
    const auto clientWait = pair.client.nextTimeout(), serverWait = pair.server.nextTimeout();
    if (!clientWait && !serverWait) return;
    std::this_thread::sleep_for(std::min(clientWait.value_or(std::chrono::seconds(1)),
                                         serverWait.value_or(std::chrono::seconds(1))));
    pair.client.onTimeout();
    pair.server.onTimeout();
    pair.pump(drop);
  }
}

DtlsTransport::Options fastRetransmit() {
  DtlsTransport::Options options;
  options.initialRetransmitTimeout = std::chrono::milliseconds(20);  // the least OpenSSL honours
  return options;
}

}  // namespace

TEST(DtlsTransport, HandshakeAgreesOnGcmAndTheExportedKeysMatchCrosswise) {
  DtlsPair pair;
  pair.start();
  pair.pump();

  ASSERT_TRUE(pair.bothConnected()) << pair.clientEnd.failure.value_or("") << " / "
                                    << pair.serverEnd.failure.value_or("");
  EXPECT_EQ(pair.client.state(), DtlsTransport::State::Connected);
  EXPECT_EQ(pair.server.state(), DtlsTransport::State::Connected);
  EXPECT_EQ(pair.clientEnd.profile, SrtpProfile::AeadAes128Gcm);
  EXPECT_EQ(pair.serverEnd.profile, SrtpProfile::AeadAes128Gcm);
  EXPECT_EQ(pair.clientEnd.localKey.size(), SrtpProfileInfo::masterBytes(SrtpProfile::AeadAes128Gcm));
  EXPECT_EQ(pair.clientEnd.localKey, pair.serverEnd.remoteKey);
  EXPECT_EQ(pair.clientEnd.remoteKey, pair.serverEnd.localKey);
  EXPECT_NE(pair.clientEnd.localKey, pair.clientEnd.remoteKey);
  EXPECT_FALSE(pair.client.nextTimeout().has_value());
}

TEST(DtlsTransport, DatagramsStayWithinTheMtu) {
  DtlsTransport::Options options;
  options.mtu = 600;  // smaller than a certificate flight: OpenSSL must fragment
  DtlsPair pair(options);
  size_t largest = 0;
  pair.start();
  pair.pump([&](Side, const std::vector<uint8_t>& d) {
    largest = std::max(largest, d.size());
    return false;
  });
  ASSERT_TRUE(pair.bothConnected());
  EXPECT_LE(largest, options.mtu);
}

TEST(DtlsTransport, AClientOfferingOnlyAesCmGetsAesCm) {
  DtlsPair pair({}, {SrtpProfile::AesCm128HmacSha1_80});
  pair.start();
  pair.pump();

  ASSERT_TRUE(pair.bothConnected());
  EXPECT_EQ(pair.clientEnd.profile, SrtpProfile::AesCm128HmacSha1_80);
  EXPECT_EQ(pair.serverEnd.profile, SrtpProfile::AesCm128HmacSha1_80);
  EXPECT_EQ(pair.serverEnd.localKey.size(), SrtpProfileInfo::masterBytes(SrtpProfile::AesCm128HmacSha1_80));
  EXPECT_EQ(pair.clientEnd.localKey, pair.serverEnd.remoteKey);
  EXPECT_EQ(pair.clientEnd.remoteKey, pair.serverEnd.localKey);
}

TEST(DtlsTransport, AServerExpectingAnotherFingerprintFailsAndNeverConnects) {
  DtlsPair pair;
  const auto stranger = DtlsCertificate::generate();
  pair.start(std::nullopt, stranger->fingerprint());
  pair.pump();

  EXPECT_EQ(pair.serverEnd.failure, "fingerprint_mismatch");
  EXPECT_EQ(pair.server.state(), DtlsTransport::State::Failed);
  EXPECT_FALSE(pair.serverEnd.connected);
  // The server's alert ends the client's handshake too.
  EXPECT_FALSE(pair.clientEnd.connected);
  EXPECT_EQ(pair.clientEnd.failure, "handshake_failed");
  EXPECT_FALSE(pair.server.nextTimeout().has_value());
}

TEST(DtlsTransport, AClientExpectingAnotherFingerprintFailsAndNeverConnects) {
  DtlsPair pair;
  pair.start(DtlsCertificate::generate()->fingerprint(), std::nullopt);
  pair.pump();

  EXPECT_EQ(pair.clientEnd.failure, "fingerprint_mismatch");
  EXPECT_FALSE(pair.clientEnd.connected);
  EXPECT_FALSE(pair.serverEnd.connected);
  EXPECT_TRUE(pair.serverEnd.failure.has_value());
  // Nothing more is read once failed.
  EXPECT_FALSE(pair.client.receive(std::vector<uint8_t>(20, 22)));
}

TEST(DtlsTransport, ALostClientHelloIsSentAgainWhenTheTimerFires) {
  DtlsPair pair(fastRetransmit());
  pair.start();
  bool dropped = false;
  const auto dropFirstFromClient = [&](Side from, const std::vector<uint8_t>&) {
    if (from != Side::Client || dropped) return false;
    return dropped = true;
  };
  pair.pump(dropFirstFromClient);
  ASSERT_TRUE(dropped);
  EXPECT_FALSE(pair.serverEnd.connected);
  EXPECT_EQ(pair.serverEnd.sentDatagrams, 0u);  // the server never heard anything
  ASSERT_TRUE(pair.client.nextTimeout().has_value());

  driveTimers(pair, 10, dropFirstFromClient);
  EXPECT_TRUE(pair.bothConnected());
  EXPECT_EQ(pair.clientEnd.localKey, pair.serverEnd.remoteKey);
}

TEST(DtlsTransport, ALostDatagramOfEachSidesFlightIsRecovered) {
  DtlsPair pair(fastRetransmit());
  pair.start();
  // Lose the second datagram each side sends: part of a flight, not its start.
  size_t fromClient = 0, fromServer = 0;
  const auto dropSecond = [&](Side from, const std::vector<uint8_t>&) {
    return ++(from == Side::Client ? fromClient : fromServer) == 2;
  };
  pair.pump(dropSecond);
  driveTimers(pair, 20, dropSecond);
  EXPECT_TRUE(pair.bothConnected());
  EXPECT_GE(fromServer, 2u);
  EXPECT_EQ(pair.clientEnd.localKey, pair.serverEnd.remoteKey);
}

TEST(DtlsTransport, ATimeoutBeforeItsDeadlineSendsNothing) {
  DtlsPair pair;  // 100 ms initial timeout
  pair.start();
  pair.clientEnd.outbox.clear();
  const size_t sent = pair.clientEnd.sentDatagrams;
  pair.client.onTimeout();
  EXPECT_EQ(pair.clientEnd.sentDatagrams, sent);
  EXPECT_EQ(pair.client.state(), DtlsTransport::State::Connecting);
}

TEST(DtlsTransport, ApplicationDataFlowsBothWaysOnceConnected) {
  DtlsPair pair;
  const std::vector<uint8_t> early{1, 2, 3};
  EXPECT_FALSE(pair.client.send(early));  // not connected yet
  pair.start();
  pair.pump();
  ASSERT_TRUE(pair.bothConnected());

  const std::vector<uint8_t> hello{'h', 'e', 'l', 'l', 'o'}, back{'b', 'a', 'c', 'k'};
  EXPECT_TRUE(pair.client.send(hello));
  EXPECT_TRUE(pair.server.send(back));
  pair.pump();
  ASSERT_EQ(pair.serverEnd.received.size(), 1u);
  EXPECT_EQ(pair.serverEnd.received[0], hello);
  ASSERT_EQ(pair.clientEnd.received.size(), 1u);
  EXPECT_EQ(pair.clientEnd.received[0], back);

  EXPECT_FALSE(pair.client.send({}));
  EXPECT_FALSE(pair.client.send(std::vector<uint8_t>(DtlsTransport::kMaxApplicationDataBytes + 1, 7)));
}

TEST(DtlsTransport, OversizedAndGarbageDatagramsAreDroppedWithoutHarm) {
  DtlsPair pair;
  // A handshake record whose length runs past the datagram: DTLS drops it silently.
  const std::vector<uint8_t> garbage{22, 254, 253, 0, 0, 0, 0, 0, 0, 0, 0, 0, 200, 1, 2, 3, 4, 5};
  EXPECT_FALSE(pair.server.receive(garbage));  // not started
  pair.start();
  EXPECT_FALSE(pair.server.receive(std::vector<uint8_t>(DtlsTransport::kMaxDatagramBytes + 1, 22)));
  pair.server.receive(garbage);
  pair.pump();
  ASSERT_TRUE(pair.bothConnected());

  // A record from nowhere after the handshake is discarded by DTLS; the connection holds.
  std::vector<uint8_t> forged{23, 254, 253, 0, 1, 0, 0, 0, 0, 0, 9, 0, 24};
  forged.resize(forged.size() + 24, 0xab);
  EXPECT_TRUE(pair.server.receive(forged));
  EXPECT_EQ(pair.server.state(), DtlsTransport::State::Connected) << pair.server.failureDetail();
  // Shorter than AES-GCM's nonce and tag: OpenSSL 3.0 would end the connection on it, so it never
  // gets there.
  std::vector<uint8_t> tooShort{23, 254, 253, 0, 1, 0, 0, 0, 0, 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8};
  EXPECT_FALSE(pair.server.receive(tooShort));
  EXPECT_EQ(pair.server.state(), DtlsTransport::State::Connected) << pair.server.failureDetail();
  EXPECT_TRUE(pair.serverEnd.received.empty());
  EXPECT_TRUE(pair.client.send(std::vector<uint8_t>{42}));
  pair.pump();
  EXPECT_EQ(pair.serverEnd.received.size(), 1u);
}

TEST(DtlsTransport, CloseSendsCloseNotifyAndThePeerReportsClosed) {
  DtlsPair pair;
  pair.start();
  pair.pump();
  ASSERT_TRUE(pair.bothConnected());

  pair.client.close();
  EXPECT_TRUE(pair.clientEnd.closed);
  pair.pump();
  EXPECT_TRUE(pair.serverEnd.closed);
  EXPECT_EQ(pair.server.state(), DtlsTransport::State::Closed);
  EXPECT_FALSE(pair.serverEnd.failure.has_value());
}
