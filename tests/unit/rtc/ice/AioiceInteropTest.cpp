// Interoperability with aioice (the ICE stack of aiortc), a STUN implementation onair shares no
// code with: aioice's own encoder writes the connectivity check, onair's responder answers it,
// and aioice's own parser verifies the answer (FINGERPRINT and MESSAGE-INTEGRITY). Skipped when
// /usr/bin/python3 has no aioice (Debian: python3-aioice, pulled by python3-aiortc).
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "rtc/ice/IceLiteResponder.hpp"
#include "StunTestData.hpp"
#include "rtc/ice/StunMessage.hpp"
#include "util/Random.hpp"

using namespace onair::rtc::ice;

namespace {

constexpr const char* kPython = "/usr/bin/python3";

// The aioice side: "request UFRAG PASSWORD" prints the check's hex and aioice's own ufrag;
// "response PASSWORD HEX" prints method, class, transaction id, mapped address and error code.
constexpr const char* kPeerScript = R"(import sys, types
from aioice import Connection, stun

def request(local_ufrag, local_password):
    peer = Connection(ice_controlling=True)
    peer.remote_username = local_ufrag
    peer.remote_password = local_password
    message = peer.build_request(types.SimpleNamespace(component=1), nominate=True)
    message.add_message_integrity(peer.remote_password.encode("utf8"))
    print(bytes(message).hex(), peer.local_username)

def response(local_password, hex_bytes):
    message = stun.parse_message(bytes.fromhex(hex_bytes), integrity_key=local_password.encode("utf8"))
    address = message.attributes.get("XOR-MAPPED-ADDRESS")
    error = message.attributes.get("ERROR-CODE")
    print(message.message_method.name, message.message_class.name, message.transaction_id.hex(),
          "%s %d" % address if address else "-", "%d" % error[0] if error else "-")

if sys.argv[1] == "request":
    request(sys.argv[2], sys.argv[3])
else:
    response(sys.argv[2], sys.argv[3])
)";

// Runs a shell command; its standard output without the trailing newline, or nullopt if it failed.
std::optional<std::string> run(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return std::nullopt;
  std::string out;
  std::array<char, 512> chunk{};
  while (size_t n = fread(chunk.data(), 1, chunk.size(), pipe)) out.append(chunk.data(), n);
  if (pclose(pipe) != 0) return std::nullopt;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::string toHex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0xF];
  }
  return out;
}

class AioiceInterop : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!run(std::string(kPython) + " -c 'import aioice' 2>/dev/null")) {
      GTEST_SKIP() << "aioice is not installed for " << kPython << " (apt install python3-aioice)";
    }
    script = std::filesystem::temp_directory_path() / ("onair-aioice-" + onair::util::randomId("", 9) + ".py");
    std::ofstream(script) << kPeerScript;
  }
  void TearDown() override {
    if (!script.empty()) std::filesystem::remove(script);
  }

  // aioice's check to the local credentials: the bytes and aioice's ufrag.
  std::pair<std::vector<uint8_t>, std::string> aioiceCheck(const std::string& ufrag, const std::string& password) {
    const auto out = run(std::string(kPython) + " " + script.string() + " request " + ufrag + " " + password);
    EXPECT_TRUE(out);
    std::istringstream words(out.value_or(""));
    std::string hex, remoteUfrag;
    words >> hex >> remoteUfrag;
    return {onair::rtc::ice::testdata::hex(hex), remoteUfrag};
  }

  // What aioice makes of a response, verified with `password`; empty if it refused it.
  std::string aioiceReads(std::span<const uint8_t> response, const std::string& password) {
    return run(std::string(kPython) + " " + script.string() + " response " + password + " " + toHex(response) +
               " 2>/dev/null")
        .value_or("");
  }

  std::filesystem::path script;
  std::string ufrag = onair::util::randomId("", 6);
  std::string password = onair::util::randomId("", 18);
  StunAddress source = *StunAddress::fromText("192.0.2.33", 40123);
};

}  // namespace

TEST_F(AioiceInterop, AnswersAioicesNominatingCheckAndAioiceAcceptsTheAnswer) {
  const auto [check, remoteUfrag] = aioiceCheck(ufrag, password);
  ASSERT_FALSE(check.empty());
  const auto request = StunMessage::parse(check);
  ASSERT_TRUE(request);
  EXPECT_EQ(request->username(), ufrag + ":" + remoteUfrag);
  EXPECT_TRUE(request->checkIntegrity(password));
  EXPECT_TRUE(request->checkFingerprint());
  EXPECT_TRUE(request->iceControlling());

  IceLiteResponder responder(ufrag, password);
  responder.setRemoteUfrag(remoteUfrag);
  const auto outcome = responder.handle(check, source);
  ASSERT_EQ(outcome.verdict, IceLiteResponder::Verdict::Answered) << IceLiteResponder::name(outcome.verdict);
  EXPECT_TRUE(outcome.nominated);
  EXPECT_EQ(outcome.priority, *request->priority());

  EXPECT_EQ(aioiceReads(outcome.response, password),
            "BINDING RESPONSE " + toHex(request->transactionId()) + " 192.0.2.33 40123 -");
  // With another key aioice's parser refuses the answer: the integrity really was checked.
  EXPECT_EQ(aioiceReads(outcome.response, password + "x"), "");
}

TEST_F(AioiceInterop, AioiceReadsTheUnauthenticatedAnswer) {
  const auto [check, remoteUfrag] = aioiceCheck(ufrag, password + "-stale");
  IceLiteResponder responder(ufrag, password);
  const auto outcome = responder.handle(check, source);
  ASSERT_EQ(outcome.verdict, IceLiteResponder::Verdict::BadIntegrity);
  const auto request = StunMessage::parse(check);
  ASSERT_TRUE(request);
  EXPECT_EQ(aioiceReads(outcome.response, password), "BINDING ERROR " + toHex(request->transactionId()) + " - 401");
}
