// Interoperability of a WebRtcTransport with aioice (the ICE stack of aiortc), over real UDP on
// 127.0.0.1: aioice, as the controlling agent told its peer is ICE-lite, runs its own checks and
// nomination against the transport's host candidate and reports the pair it nominated. aioice 0.8
// gathers no loopback candidates, so the peer script hands it 127.0.0.1 as its only host address.
// Skipped when /usr/bin/python3 has no aioice. The peer is started and stopped by PID.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <spawn.h>
#include <sys/wait.h>

#include "rtc/WebRtcServer.hpp"
#include "rtc/dtls/DtlsCertificate.hpp"
#include "util/Random.hpp"

extern char** environ;

using namespace onair::rtc;

namespace {

constexpr const char* kPython = "/usr/bin/python3";

// argv: local ufrag, password and port of the onair transport. Prints
// "connected <aioice's ufrag> <the nominated pair's local port>" once aioice's connect() succeeds.
constexpr const char* kPeerScript = R"(import asyncio, sys
import aioice.ice
from aioice import Candidate, Connection

aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]

async def main(ufrag, password, port):
    connection = Connection(ice_controlling=True, use_ipv6=False)
    connection.remote_is_lite = True
    connection.remote_username = ufrag
    connection.remote_password = password
    await connection.gather_candidates()
    await connection.add_remote_candidate(Candidate(foundation="1", component=1, transport="udp",
        priority=2130706431, host="127.0.0.1", port=port, type="host"))
    await connection.add_remote_candidate(None)
    await asyncio.wait_for(connection.connect(), 10)
    pair = connection._nominated[1]
    print("connected", connection.local_username, pair.local_candidate.port, flush=True)
    await connection.close()

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
)";

struct Events : WebRtcTransport::Listener {
  std::optional<std::string> closedReason;
  void OnWebRtcTransportConnected(WebRtcTransport&) override {}
  void OnWebRtcTransportRtp(WebRtcTransport&, std::span<uint8_t>) override {}
  void OnWebRtcTransportRtcp(WebRtcTransport&, std::span<uint8_t>) override {}
  void OnWebRtcTransportClosed(WebRtcTransport&, std::string_view reason) override { closedReason = std::string(reason); }
};

bool hasAioice() {
  const std::string command = std::string(kPython) + " -c 'import aioice' 2>/dev/null";
  return std::system(command.c_str()) == 0;
}

class AioiceTransportInterop : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!hasAioice()) GTEST_SKIP() << "aioice is not installed for " << kPython << " (apt install python3-aioice)";
    const auto base = std::filesystem::temp_directory_path() / ("onair-aioice-ice-" + onair::util::randomId("", 9));
    script = base.string() + ".py";
    output = base.string() + ".out";
    std::ofstream(script) << kPeerScript;
  }
  void TearDown() override {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    if (!script.empty()) std::filesystem::remove(script);
    if (!output.empty()) std::filesystem::remove(output);
  }

  // Starts the peer with its standard output in `output`.
  void startPeer(const std::vector<std::string>& args) {
    std::vector<std::string> words = {kPython, script.string()};
    words.insert(words.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& word : words) argv.push_back(word.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ASSERT_EQ(posix_spawn(&pid, kPython, &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
  }

  // Runs the loop until the peer exits (or a generous bound); its exit status, or -1.
  int runUntilPeerExits() {
    const auto giveUp = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < giveUp) {
      io.run_for(std::chrono::milliseconds(5));
      io.restart();
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
    }
    return -1;
  }

  boost::asio::io_context io;
  std::filesystem::path script, output;
  pid_t pid = -1;
};

TEST_F(AioiceTransportInterop, AioiceNominatesAPairWithTheTransport) {
  WebRtcServer::Options options;
  options.listenAddress = "127.0.0.1";
  WebRtcServer server(io, std::make_shared<dtls::DtlsContext>(dtls::DtlsCertificate::generate()), options);
  Events events;
  WebRtcTransport& transport = server.createTransport(events);

  startPeer({transport.localUfrag(), transport.localPassword(), std::to_string(server.port())});
  ASSERT_EQ(runUntilPeerExits(), 0) << "aioice did not connect";

  std::ifstream in(output);
  std::string word, aioiceUfrag;
  uint16_t aioicePort = 0;
  in >> word >> aioiceUfrag >> aioicePort;
  ASSERT_EQ(word, "connected");
  // The transport selected the very pair aioice nominated.
  ASSERT_TRUE(transport.selectedTuple());
  EXPECT_EQ(transport.selectedTuple()->port(), aioicePort);
  EXPECT_EQ(transport.selectedTuple()->address().to_string(), "127.0.0.1");
  EXPECT_EQ(server.counters().rejected(ice::IceLiteResponder::Verdict::BadIntegrity), 0u);
  EXPECT_FALSE(events.closedReason);
}

}  // namespace
