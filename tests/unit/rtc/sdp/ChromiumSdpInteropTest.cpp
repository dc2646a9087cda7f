// Interoperability with Chromium's own SDP stack: Chromium (Debian's /usr/bin/chromium through
// playwright-core) makes an offer with an audio track, a simulcast video track and a data
// channel; onair parses it and builds its answer; Chromium must accept that answer with
// setRemoteDescription. Skipped when Chromium, node or playwright-core is missing.
#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>

#include "PeerExchange.hpp"
#include "rtc/sdp/AnswerBuilder.hpp"
#include "rtc/sdp/SdpParser.hpp"
#include "rtc/sdp/SdpWriter.hpp"

using namespace onair::rtc::sdp;
using onair::rtc::sdp::testing::PeerExchange;
namespace fs = std::filesystem;

namespace {

const fs::path kSource = ONAIR_SOURCE_DIR;

AnswerParameters sfuParameters() {
  AnswerParameters p;
  p.iceUfrag = "onairUfrag";
  p.icePwd = "onairPasswordOf22chars+";
  // Chromium checks the form (32 hex pairs for sha-256), not the certificate, at this step.
  p.fingerprint = {"sha-256",
                   "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF"};
  std::string reason;
  p.candidates = {*Candidate::parse("1 1 udp 2130706431 127.0.0.1 40000 typ host", reason)};
  return p;
}

}  // namespace

TEST(ChromiumSdpInterop, ChromiumAcceptsOnairsAnswerToItsOffer) {
  if (!fs::exists("/usr/bin/chromium") || !fs::exists("/usr/bin/node") ||
      !fs::exists(kSource / "node_modules/playwright-core/package.json")) {
    GTEST_SKIP() << "needs /usr/bin/chromium, /usr/bin/node and playwright-core in node_modules";
  }
  std::optional<SessionDescription> offer, answer;
  std::string reason;
  const auto exchange = PeerExchange::run(
      "/usr/bin/node " + (kSource / "tests/unit/rtc/sdp/chromium_offer_answer.mjs").string(),
      [&](const std::string& text) {
        SdpError error;
        offer = SdpParser::parse(text, error);
        reason = error.message();
        if (offer) answer = AnswerBuilder::build(*offer, sfuParameters(), reason);
        return answer ? SdpWriter::write(*answer) : std::string("not an answer");
      });

  ASSERT_TRUE(offer) << reason << "\n" << exchange.offer << exchange.output;
  ASSERT_TRUE(answer) << reason;
  EXPECT_EQ(exchange.status, 0) << exchange.output;
  // Both transceivers send (onair answered recvonly), and the data channel has its SCTP transport.
  EXPECT_NE(exchange.output.find("accepted sendonly sendonly sctp=yes"), std::string::npos)
      << exchange.output << "\nanswer:\n" << exchange.answer;
  // The offer had what the fixtures model: simulcast rids, received in the answer.
  ASSERT_EQ(answer->media.size(), 3u);
  EXPECT_EQ(answer->media[1].rids.size(), 3u);
}
