#include "rtc/sctp/SctpAssociation.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

using namespace onair::rtc::sctp;
using namespace std::chrono_literals;

namespace {

struct Received {
  uint16_t streamId;
  PayloadProtocol protocol;
  std::string text;
};

// Two associations wired back to back on one io_context, as two DTLS endpoints would carry them.
// `drop` decides, packet by packet, what the wire loses.
class Pair {
 public:
  explicit Pair(std::function<bool(size_t)> drop = [](size_t) { return false; }) : drop_(std::move(drop)) {
    client = std::make_unique<SctpAssociation>(io.get_executor(), SctpAssociation::Options{.dtlsClient = true}, callbacks(clientSeen, server));
    server = std::make_unique<SctpAssociation>(io.get_executor(), SctpAssociation::Options{.dtlsClient = false}, callbacks(serverSeen, client));
  }

  struct Seen {
    std::vector<std::pair<uint16_t, DataChannelParameters>> opened;
    std::vector<Received> messages;
    std::vector<uint16_t> closed;
    size_t packetsSent = 0;
  };

  // Runs the loop until `done` or 10 s pass (a bound, not a timing expectation).
  bool runUntil(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io.run_for(5ms);
      io.restart();
    }
    return done();
  }

  void connect() {
    client->connect();
    server->connect();
    ASSERT_TRUE(runUntil([&] { return client->state() == SctpAssociation::State::Connected && server->state() == SctpAssociation::State::Connected; }));
  }

  boost::asio::io_context io;
  std::unique_ptr<SctpAssociation> client, server;
  Seen clientSeen, serverSeen;
  size_t packets = 0;

 private:
  SctpAssociation::Callbacks callbacks(Seen& seen, std::unique_ptr<SctpAssociation>& peer) {
    SctpAssociation::Callbacks c;
    c.sendToPeer = [this, &peer, &seen](std::span<const uint8_t> packet) {
      ++seen.packetsSent;
      if (drop_(packets++)) return;
      boost::asio::post(io, [&peer, bytes = std::vector<uint8_t>(packet.begin(), packet.end())] {
        if (peer) peer->receive(bytes);
      });
    };
    c.onChannelOpened = [&seen](uint16_t id, const DataChannelParameters& p) { seen.opened.emplace_back(id, p); };
    c.onMessage = [&seen](uint16_t id, PayloadProtocol protocol, std::span<const uint8_t> m) {
      seen.messages.push_back({id, protocol, std::string(m.begin(), m.end())});
    };
    c.onChannelClosed = [&seen](uint16_t id) { seen.closed.push_back(id); };
    return c;
  }

  std::function<bool(size_t)> drop_;
};

std::span<const uint8_t> bytes(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

}  // namespace

TEST(SctpAssociation, OpensAChannelAndCarriesMessagesBothWays) {
  Pair pair;
  pair.connect();
  const auto id = pair.client->openChannel({.label = "chat", .protocol = "json"});
  ASSERT_TRUE(id);
  EXPECT_EQ(*id % 2, 0) << "the DTLS client opens even streams";
  ASSERT_TRUE(pair.runUntil([&] { return !pair.serverSeen.opened.empty(); }));
  EXPECT_EQ(pair.serverSeen.opened[0].first, *id);
  EXPECT_EQ(pair.serverSeen.opened[0].second.label, "chat");
  EXPECT_EQ(pair.serverSeen.opened[0].second.protocol, "json");

  EXPECT_EQ(pair.client->send(*id, PayloadProtocol::String, bytes("hello")), SctpAssociation::SendResult::Sent);
  EXPECT_EQ(pair.client->send(*id, PayloadProtocol::Binary, {}), SctpAssociation::SendResult::Sent);
  EXPECT_EQ(pair.server->send(*id, PayloadProtocol::String, bytes("back")), SctpAssociation::SendResult::Sent);
  ASSERT_TRUE(pair.runUntil([&] { return pair.serverSeen.messages.size() == 2 && pair.clientSeen.messages.size() == 1; }));
  EXPECT_EQ(pair.serverSeen.messages[0].text, "hello");
  EXPECT_EQ(pair.serverSeen.messages[0].protocol, PayloadProtocol::String);
  EXPECT_EQ(pair.serverSeen.messages[1].text, "");
  EXPECT_EQ(pair.serverSeen.messages[1].protocol, PayloadProtocol::Binary);
  EXPECT_EQ(pair.clientSeen.messages[0].text, "back");
  EXPECT_EQ(pair.server->counters().messagesIn, 2u);
}

TEST(SctpAssociation, TheServerOpensOddStreamsAndLargeMessagesArriveWhole) {
  Pair pair;
  pair.connect();
  const auto id = pair.server->openChannel({.label = "big"});
  ASSERT_TRUE(id);
  EXPECT_EQ(*id % 2, 1);
  const std::string big(100'000, 'x');
  EXPECT_EQ(pair.server->send(*id, PayloadProtocol::Binary, bytes(big)), SctpAssociation::SendResult::Sent);
  ASSERT_TRUE(pair.runUntil([&] { return !pair.clientSeen.messages.empty(); }));
  EXPECT_EQ(pair.clientSeen.messages[0].text, big);
  EXPECT_EQ(pair.server->send(*id, PayloadProtocol::Binary, bytes(std::string(300'000, 'y'))), SctpAssociation::SendResult::TooLarge);
}

TEST(SctpAssociation, ClosingAChannelClosesItOnBothSides) {
  Pair pair;
  pair.connect();
  const auto id = pair.client->openChannel({.label = "a"});
  ASSERT_TRUE(id);
  ASSERT_TRUE(pair.runUntil([&] { return !pair.serverSeen.opened.empty(); }));
  pair.client->closeChannel(*id);
  ASSERT_TRUE(pair.runUntil([&] { return !pair.clientSeen.closed.empty() && !pair.serverSeen.closed.empty(); }));
  EXPECT_EQ(pair.client->openChannels(), 0u);
  EXPECT_EQ(pair.server->openChannels(), 0u);
  EXPECT_EQ(pair.client->send(*id, PayloadProtocol::String, bytes("late")), SctpAssociation::SendResult::NotOpen);
}

TEST(SctpAssociation, ReliableMessagesSurviveALossyWire) {
  // Every seventh packet after the handshake is lost: SCTP retransmits until all arrive in order.
  Pair pair([](size_t n) { return n > 8 && n % 7 == 3; });
  pair.connect();
  const auto id = pair.client->openChannel({.label = "r"});
  ASSERT_TRUE(id);
  ASSERT_TRUE(pair.runUntil([&] { return !pair.serverSeen.opened.empty(); }));
  for (int i = 0; i < 50; ++i) pair.client->send(*id, PayloadProtocol::String, bytes(std::to_string(i)));
  ASSERT_TRUE(pair.runUntil([&] { return pair.serverSeen.messages.size() == 50; }));
  for (int i = 0; i < 50; ++i) EXPECT_EQ(pair.serverSeen.messages[i].text, std::to_string(i));
}

TEST(SctpAssociation, NoCallbackRunsAfterDestruction) {
  Pair pair;
  pair.connect();
  const auto id = pair.server->openChannel({.label = "x"});
  ASSERT_TRUE(id);
  // The server's packets for this message are posted (not yet handed to sendToPeer) when it goes.
  EXPECT_EQ(pair.server->send(*id, PayloadProtocol::String, bytes("in flight")), SctpAssociation::SendResult::Sent);
  const size_t sentBefore = pair.serverSeen.packetsSent;
  pair.server.reset();
  pair.io.run_for(300ms);
  EXPECT_EQ(pair.serverSeen.packetsSent, sentBefore);
  EXPECT_TRUE(pair.clientSeen.messages.empty());
}

TEST(SctpAssociation, StreamIdsOfClosedChannelsComeBack) {
  Pair pair;
  pair.connect();
  // More opens over the association's life than it has ids of one parity (512), one at a time.
  for (int round = 0; round < 600; ++round) {
    const auto id = pair.client->openChannel({.label = "c" + std::to_string(round)});
    ASSERT_TRUE(id) << "round " << round;
    pair.client->closeChannel(*id);
    ASSERT_TRUE(pair.runUntil([&] { return pair.client->openChannels() == 0 && pair.server->openChannels() == 0; })) << "round " << round;
  }
  EXPECT_EQ(pair.clientSeen.closed.size(), 600u);
}
