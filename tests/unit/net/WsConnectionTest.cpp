// WsConnection over a real loopback TCP pair, driven on the test thread: reads arrive through the
// loop's WsPoller (edge-triggered), replies leave corked, the peer's close is reported once.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "net/EventLoop.hpp"
#include "net/WsCodec.hpp"
#include "net/WsConnection.hpp"

namespace onair::net {
namespace {

using boost::asio::ip::tcp;

// Records what the connection reports; echoes text messages back, upper-cased first letter.
struct Recorder : WsConnection::Listener {
  std::vector<std::string> messages;
  std::vector<uint16_t> closes;
  void onWsMessage(WsConnection& connection, WsOpcode opcode, std::string_view payload) override {
    messages.emplace_back(payload);
    if (opcode != WsOpcode::Text) return;
    std::string reply("echo:");
    reply.append(payload);
    connection.sendText(reply);
  }
  void onWsClosed(WsConnection&, uint16_t code) override { closes.push_back(code); }
};

// A client frame (FIN, masked) as a browser would send it.
std::string clientFrame(WsOpcode opcode, std::string_view payload) {
  std::string out;
  out += static_cast<char>(0x80 | static_cast<uint8_t>(opcode));
  if (payload.size() < 126) {
    out += static_cast<char>(0x80 | payload.size());
  } else {  // tests keep payloads under 64 KiB
    out += static_cast<char>(0x80 | 126);
    out += static_cast<char>(payload.size() >> 8);
    out += static_cast<char>(payload.size() & 0xFF);
  }
  const char mask[4] = {0x11, 0x22, 0x33, 0x44};
  out.append(mask, 4);
  for (size_t i = 0; i < payload.size(); ++i) out += static_cast<char>(payload[i] ^ mask[i & 3]);
  return out;
}

class WsConnectionTest : public ::testing::Test {
 protected:
  WsConnectionTest() : loop_(0, WsSettings{}), client_(loop_.io()) {}

  // Makes the server side of a loopback pair and connects the client to it.
  tcp::socket acceptPair() {
    tcp::acceptor acceptor(loop_.io(), tcp::endpoint(boost::asio::ip::address_v4::loopback(), 0));
    client_.connect(acceptor.local_endpoint());
    return acceptor.accept();
  }

  // Runs the loop on this thread until `done` or two seconds pass.
  template <class Pred>
  bool runUntil(Pred done) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      if (loop_.io().stopped()) loop_.io().restart();  // it stops whenever it runs out of work
      loop_.io().run_one_for(std::chrono::milliseconds(10));
    }
    return done();
  }

  // The payloads of the next `count` server text frames (unmasked, short), read as they arrive
  // while the loop keeps running; fewer when two seconds pass first.
  std::vector<std::string> readFrames(size_t count) {
    std::vector<std::string> frames;
    runUntil([&] {
      while (client_.available() > 0) {
        char chunk[4096];
        size_t n = client_.read_some(boost::asio::buffer(chunk, std::min(sizeof chunk, client_.available())));
        received_.append(chunk, n);
      }
      while (received_.size() >= 2 && received_.size() >= 2u + (static_cast<uint8_t>(received_[1]) & 0x7fu)) {
        const size_t len = static_cast<uint8_t>(received_[1]) & 0x7f;
        EXPECT_EQ(static_cast<uint8_t>(received_[0]), 0x81);
        frames.push_back(received_.substr(2, len));
        received_.erase(0, 2 + len);
      }
      return frames.size() >= count;
    });
    return frames;
  }

  // The code of the close frame the server sends, once it arrives (0 if none within two seconds).
  uint16_t readCloseCode() {
    uint16_t code = 0;
    runUntil([&] {
      while (client_.available() > 0) {
        char chunk[4096];
        size_t n = client_.read_some(boost::asio::buffer(chunk, std::min(sizeof chunk, client_.available())));
        received_.append(chunk, n);
      }
      // Server frames here are short: a close frame is 0x88, length, code (big-endian), reason.
      auto at = received_.find('\x88');
      if (at == std::string::npos || received_.size() < at + 4) return false;
      code = static_cast<uint16_t>((static_cast<uint8_t>(received_[at + 2]) << 8) | static_cast<uint8_t>(received_[at + 3]));
      return true;
    });
    return code;
  }

  static std::string numbered(std::string_view prefix, int i) {
    std::string out(prefix);
    out += std::to_string(i);
    return out;
  }

  EventLoop loop_;
  tcp::socket client_;
  std::string received_;  // server bytes read and not yet parsed
};

TEST_F(WsConnectionTest, BytesSentBeforeStartAreReadAndAnswered) {
  auto server = acceptPair();
  // The frame is already in the socket when the connection registers with the poller.
  boost::asio::write(client_, boost::asio::buffer(clientFrame(WsOpcode::Text, "early")));
  auto recorder = std::make_shared<Recorder>();
  auto connection = std::make_shared<WsConnection>(loop_, std::move(server));
  connection->start(recorder);
  ASSERT_TRUE(runUntil([&] { return !recorder->messages.empty(); }));
  EXPECT_EQ(recorder->messages, std::vector<std::string>{"early"});
  EXPECT_EQ(readFrames(1), std::vector<std::string>{"echo:early"});
}

TEST_F(WsConnectionTest, EveryMessageOfABurstIsDeliveredInOrder) {
  auto recorder = std::make_shared<Recorder>();
  auto connection = std::make_shared<WsConnection>(loop_, acceptPair());
  connection->start(recorder);
  std::string burst;
  for (int i = 0; i < 50; ++i) burst += clientFrame(WsOpcode::Text, numbered("m", i));
  // Split mid-frame: the tail of a frame waits in the connection for the next read.
  boost::asio::write(client_, boost::asio::buffer(burst.data(), burst.size() / 2 + 1));
  ASSERT_TRUE(runUntil([&] { return recorder->messages.size() >= 20; }));
  boost::asio::write(client_, boost::asio::buffer(burst.data() + burst.size() / 2 + 1, burst.size() / 2 - 1));
  ASSERT_TRUE(runUntil([&] { return recorder->messages.size() == 50; }));
  auto replies = readFrames(50);
  ASSERT_EQ(replies.size(), 50u);
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(recorder->messages[static_cast<size_t>(i)], numbered("m", i));
    EXPECT_EQ(replies[static_cast<size_t>(i)], numbered("echo:m", i));
  }
}

TEST_F(WsConnectionTest, BeforeConnectAFrameOverThePreconnectLimitClosesWith1009FromItsHeader) {
  ASSERT_EQ(loop_.wsSettings().maxPreconnectMessageBytes, 16u << 10);
  auto recorder = std::make_shared<Recorder>();
  auto connection = std::make_shared<WsConnection>(loop_, acceptPair());
  connection->start(recorder);
  // Only the header of a 16 KiB + 1 frame: the server must refuse it without waiting for the body.
  std::string frame = clientFrame(WsOpcode::Text, std::string((16 << 10) + 1, 'x'));
  boost::asio::write(client_, boost::asio::buffer(frame.data(), 8));
  EXPECT_EQ(readCloseCode(), wsclose::TooBig);
  EXPECT_TRUE(recorder->messages.empty());
}

TEST_F(WsConnectionTest, OnceEstablishedTheFullMessageLimitApplies) {
  auto recorder = std::make_shared<Recorder>();
  auto connection = std::make_shared<WsConnection>(loop_, acceptPair());
  connection->start(recorder);
  connection->markEstablished();
  const std::string big((16 << 10) + 1, 'x');
  boost::asio::write(client_, boost::asio::buffer(clientFrame(WsOpcode::Text, big)));
  ASSERT_TRUE(runUntil([&] { return !recorder->messages.empty(); }));
  EXPECT_EQ(recorder->messages.front().size(), big.size());
  EXPECT_TRUE(connection->open());
}

TEST_F(WsConnectionTest, ALargeFrameWaitingForAPeerThatDoesNotReadIsNotCountedButWhatPilesUpBesideItIs) {
  // Small socket buffers: most of the large frame stays queued (the client reads nothing).
  client_.open(tcp::v4());
  client_.set_option(tcp::socket::receive_buffer_size(64 * 1024));
  auto server = acceptPair();
  server.set_option(tcp::socket::send_buffer_size(64 * 1024));
  auto connection = std::make_shared<WsConnection>(loop_, std::move(server));
  connection->start(std::make_shared<Recorder>());
  const auto drops = [&] { return loop_.metrics().sendQueueDrops.load(); };
  const size_t limit = WsSettings{}.sendQueueBytes;
  const std::string large(limit + (1 << 20), 'l');  // a large document's sync answer, say
  connection->sendText(large);
  ASSERT_TRUE(runUntil([&] { return connection->queuedBytes() < large.size(); })) << "the first write went out";
  ASSERT_GT(connection->queuedBytes(), limit / 2) << "the rest of it waits, partly written";
  const std::string chunk(256 * 1024, 'c');
  for (size_t i = 0; i + 1 < limit / chunk.size(); ++i) connection->sendText(chunk);
  EXPECT_EQ(drops(), 0u) << "under the limit beside the large frame";
  // A second large frame counts: it is not the one exempt.
  connection->sendText(large);
  EXPECT_EQ(drops(), 1u);
}

TEST_F(WsConnectionTest, APeerThatVanishesIsReportedOnceWith1006) {
  auto recorder = std::make_shared<Recorder>();
  auto connection = std::make_shared<WsConnection>(loop_, acceptPair());
  connection->start(recorder);
  client_.close();
  ASSERT_TRUE(runUntil([&] { return !recorder->closes.empty(); }));
  EXPECT_EQ(recorder->closes, std::vector<uint16_t>{1006});
  EXPECT_FALSE(connection->open());
  // Nothing more arrives for it, even if the loop keeps running.
  if (loop_.io().stopped()) loop_.io().restart();
  loop_.io().run_for(std::chrono::milliseconds(50));
  EXPECT_EQ(recorder->closes.size(), 1u);
}

}  // namespace
}  // namespace onair::net
