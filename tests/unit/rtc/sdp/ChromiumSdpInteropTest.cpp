// Interoperability with Chromium's own SDP stack: Chromium (Debian's /usr/bin/chromium through
// playwright-core) makes an offer with an audio track, a simulcast video track and a data
// channel; onair parses it and builds its answer; Chromium must accept that answer with
// setRemoteDescription. Skipped when Chromium, node or playwright-core is missing.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>

#include "rtc/sdp/AnswerBuilder.hpp"
#include "rtc/sdp/SdpParser.hpp"
#include "rtc/sdp/SdpWriter.hpp"

using namespace onair::rtc::sdp;
namespace fs = std::filesystem;

namespace {

const fs::path kSource = ONAIR_SOURCE_DIR;

std::string readAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

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
  const fs::path dir = fs::temp_directory_path() / ("onair-sdp-" + std::to_string(std::random_device{}()));
  fs::create_directories(dir);
  const std::string command = "/usr/bin/node " + (kSource / "tests/unit/rtc/sdp/chromium_offer_answer.mjs").string() +
                              " " + dir.string() + " 2>&1";
  FILE* chromium = popen(command.c_str(), "r");
  ASSERT_NE(chromium, nullptr);

  // Chromium's offer, as soon as it is there.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!fs::exists(dir / "offer.sdp") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const std::string offerText = readAll(dir / "offer.sdp");
  SdpError error;
  const auto offer = SdpParser::parse(offerText, error);
  std::string reason = error.message();
  std::optional<SessionDescription> answer;
  if (offer) answer = AnswerBuilder::build(*offer, sfuParameters(), reason);
  // Always write something, so the script never waits out its own timeout.
  {
    std::ofstream out(dir / "answer.tmp", std::ios::binary);
    out << (answer ? SdpWriter::write(*answer) : std::string("not an answer"));
  }
  fs::rename(dir / "answer.tmp", dir / "answer.sdp");

  std::string output;
  std::array<char, 512> chunk{};
  while (size_t n = fread(chunk.data(), 1, chunk.size(), chromium)) output.append(chunk.data(), n);
  const int status = pclose(chromium);
  fs::remove_all(dir);

  ASSERT_TRUE(offer) << reason << "\n" << offerText << output;
  ASSERT_TRUE(answer) << reason;
  EXPECT_EQ(status, 0) << output;
  // Both transceivers send (onair answered recvonly), and the data channel has its SCTP transport.
  EXPECT_NE(output.find("accepted sendonly sendonly sctp=yes"), std::string::npos)
      << output << "\nanswer:\n" << SdpWriter::write(*answer);
  // The offer had what the fixtures model: simulcast rids and the answer received them.
  ASSERT_EQ(answer->media.size(), 3u);
  EXPECT_EQ(answer->media[1].rids.size(), 3u);
}
