// Interoperability with aiortc 1.4 (Debian's python3-aiortc), a WebRTC stack onair shares no code
// with: aiortc makes an offer with audio, video and a data channel (in the pre-RFC 8841 form, and
// with one header extension id for two URIs in its BUNDLE); onair parses it and builds its answer;
// aiortc must accept that answer with setRemoteDescription. Skipped when /usr/bin/python3 has no
// aiortc (apt install python3-aiortc).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

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
  p.fingerprint = {"sha-256",
                   "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF"};
  std::string reason;
  p.candidates = {*Candidate::parse("1 1 udp 2130706431 192.0.2.10 40000 typ host", reason)};
  return p;
}

}  // namespace

TEST(AiortcSdpInterop, AiortcAcceptsOnairsAnswerToItsOffer) {
  if (std::system("/usr/bin/python3 -c 'import aiortc' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "aiortc is not installed for /usr/bin/python3 (apt install python3-aiortc)";
  }
  std::optional<SessionDescription> offer, answer;
  std::string reason;
  const auto exchange = PeerExchange::run(
      "/usr/bin/python3 " + (kSource / "tests/unit/rtc/sdp/aiortc_offer_answer.py").string(),
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
  EXPECT_NE(exchange.output.find("accepted sendonly sendonly sctp=yes"), std::string::npos)
      << exchange.output << "\nanswer:\n" << exchange.answer;
  // The ids aiortc offered, as offered, but for id 2, which means a different URI in each section
  // (aiortc would misread one as the other): that one is left out of both.
  ASSERT_EQ(answer->media.size(), 3u);
  for (size_t i : {0, 1}) {
    std::vector<HeaderExtension> expected;
    for (const HeaderExtension& e : offer->media[i].extensions) {
      if (e.id != 2) expected.push_back(e);
    }
    ASSERT_EQ(answer->media[i].extensions.size(), expected.size());
    for (size_t e = 0; e < expected.size(); ++e) {
      EXPECT_EQ(answer->media[i].extensions[e].id, expected[e].id);
      EXPECT_EQ(answer->media[i].extensions[e].uri, expected[e].uri);
    }
  }
}
