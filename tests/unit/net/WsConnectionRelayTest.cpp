// Relayed WsConnections (made with an Outlet, multi-node signaling), driven on the test thread: a
// turn's frames reach the outlet as one string of whole frames, the client's messages come in
// through receiveText, and close/peerGone report to the outlet and the listener exactly once.
#include <gtest/gtest.h>

#include <algorithm>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "net/EventLoop.hpp"
#include "net/SharedFrame.hpp"
#include "net/WsCodec.hpp"
#include "net/WsConnection.hpp"
#include "ServerFrames.hpp"

namespace onair::net {
namespace {

using namespace std::string_literals;

// What the outlet and the listener saw, in order ("deliver", "closed 4011 why", "onWsClosed 4011").
using Log = std::vector<std::string>;
using test::Decoded;
using test::decodeServerFrames;

struct RecordingOutlet : WsConnection::Outlet {
  explicit RecordingOutlet(Log& log) : log(log) {}
  void deliver(std::string frames) override {
    log.push_back("deliver");
    deliveries.push_back(std::move(frames));
  }
  void closed(uint16_t code, std::string_view reason) override { log.push_back("closed " + std::to_string(code) + " " + std::string(reason)); }
  Log& log;
  std::vector<std::string> deliveries;
};

// Records messages; a message "reply:<x>" is answered with "<x>", "close:<x>" with "<x>" then a close (4003).
struct Recorder : WsConnection::Listener {
  explicit Recorder(Log& log) : log(log) {}
  void onWsMessage(WsConnection& connection, WsOpcode, std::string_view payload) override {
    messages.emplace_back(payload);
    if (payload.substr(0, 6) == "reply:") connection.sendText(payload.substr(6));
    if (payload.substr(0, 6) == "close:") {
      connection.sendText(payload.substr(6));
      connection.close(wsclose::Unauthenticated, "kicked");
    }
  }
  void onWsClosed(WsConnection&, uint16_t code) override { log.push_back("onWsClosed " + std::to_string(code)); }
  Log& log;
  std::vector<std::string> messages;
};

class WsConnectionRelayTest : public ::testing::Test {
 protected:
  WsConnectionRelayTest()
      : loop_(0, WsSettings{}), outlet_(std::make_shared<RecordingOutlet>(log_)), recorder_(std::make_shared<Recorder>(log_)) {
    connection_ = std::make_shared<WsConnection>(loop_, outlet_);
    connection_->start(recorder_);
  }

  // Runs every handler that is ready, including those they post (the turns queued so far).
  void runReady() {
    loop_.io().restart();
    loop_.io().poll();
  }

  size_t closesSeen() const {
    size_t n = 0;
    for (const auto& entry : log_) n += entry.rfind("onWsClosed", 0) == 0;
    return n;
  }

  Log log_;
  EventLoop loop_;
  std::shared_ptr<RecordingOutlet> outlet_;
  std::shared_ptr<Recorder> recorder_;
  std::shared_ptr<WsConnection> connection_;
};

TEST_F(WsConnectionRelayTest, IsEstablishedAndRelayedFromTheStart) {
  EXPECT_TRUE(connection_->relayed());
  EXPECT_TRUE(connection_->established());
  EXPECT_TRUE(connection_->open());
  EXPECT_EQ(connection_->remoteAddress(), "relay");
}

TEST_F(WsConnectionRelayTest, ATurnsFramesReachTheOutletAsOneStringInOrder) {
  const std::string big(70000, 'x');  // a 64-bit extended length
  const std::string medium(300, 'm');  // a 16-bit one
  connection_->sendText("first");
  connection_->send(makeSharedFrame(WsCodec::encodeFrame(WsOpcode::Binary, "bin\0ary"s)));
  connection_->sendText(medium);
  connection_->sendText(big);
  connection_->sendText("last");
  EXPECT_TRUE(outlet_->deliveries.empty()) << "frames wait for the end of the turn";
  runReady();
  ASSERT_EQ(outlet_->deliveries.size(), 1u);
  const std::vector<Decoded> expected = {{WsOpcode::Text, "first"},
                                         {WsOpcode::Binary, "bin\0ary"s},
                                         {WsOpcode::Text, medium},
                                         {WsOpcode::Text, big},
                                         {WsOpcode::Text, "last"}};
  EXPECT_EQ(decodeServerFrames(outlet_->deliveries[0]), expected);
  EXPECT_EQ(connection_->queuedBytes(), 0u);
}

TEST_F(WsConnectionRelayTest, EachTurnDeliversItsOwnString) {
  connection_->sendText("a");
  runReady();
  connection_->sendText("b");
  connection_->sendText("c");
  runReady();
  runReady();  // an idle turn delivers nothing
  ASSERT_EQ(outlet_->deliveries.size(), 2u);
  EXPECT_EQ(decodeServerFrames(outlet_->deliveries[0]), (std::vector<Decoded>{{WsOpcode::Text, "a"}}));
  EXPECT_EQ(decodeServerFrames(outlet_->deliveries[1]), (std::vector<Decoded>{{WsOpcode::Text, "b"}, {WsOpcode::Text, "c"}}));
}

TEST_F(WsConnectionRelayTest, ReceivedTextReachesTheListenerAndItsReplyTheOutlet) {
  connection_->receiveText("reply:pong-1");
  connection_->receiveText("plain");
  EXPECT_EQ(recorder_->messages, (std::vector<std::string>{"reply:pong-1", "plain"}));
  runReady();
  ASSERT_EQ(outlet_->deliveries.size(), 1u);
  EXPECT_EQ(decodeServerFrames(outlet_->deliveries[0]), (std::vector<Decoded>{{WsOpcode::Text, "pong-1"}}));
}

TEST_F(WsConnectionRelayTest, CloseFlushesQueuedFramesThenTellsTheOutletAndLaterTheListenerOnce) {
  connection_->sendText("queued-1");
  connection_->sendText("queued-2");
  connection_->close(wsclose::TokenExpired, "token expired");
  EXPECT_FALSE(connection_->open());
  ASSERT_EQ(log_, (Log{"deliver", "closed 4011 token expired"})) << "the queue goes first, the listener waits for a later turn";
  EXPECT_EQ(decodeServerFrames(outlet_->deliveries[0]), (std::vector<Decoded>{{WsOpcode::Text, "queued-1"}, {WsOpcode::Text, "queued-2"}}));
  runReady();
  EXPECT_EQ(log_, (Log{"deliver", "closed 4011 token expired", "onWsClosed 4011"}));
  connection_->close(wsclose::Normal);
  runReady();
  EXPECT_EQ(closesSeen(), 1u);
  EXPECT_EQ(log_.size(), 3u) << "a second close tells nobody";
}

TEST_F(WsConnectionRelayTest, CloseWithNothingQueuedDeliversNoFrames) {
  connection_->close(wsclose::Normal);
  runReady();
  EXPECT_EQ(log_, (Log{"closed 1000 ", "onWsClosed 1000"}));
}

TEST_F(WsConnectionRelayTest, AListenerClosingWhileHandlingAMessageSendsItsReplyFirst) {
  connection_->receiveText("close:bye");
  ASSERT_EQ(log_, (Log{"deliver", "closed 4003 kicked"}));
  EXPECT_EQ(decodeServerFrames(outlet_->deliveries[0]), (std::vector<Decoded>{{WsOpcode::Text, "bye"}}));
  runReady();
  EXPECT_EQ(log_, (Log{"deliver", "closed 4003 kicked", "onWsClosed 4003"}));
}

TEST_F(WsConnectionRelayTest, NothingIsSentOrReceivedAfterClose) {
  connection_->close(wsclose::Normal);
  connection_->sendText("late");
  connection_->send(makeSharedFrame(WsCodec::encodeFrame(WsOpcode::Binary, "late")));
  connection_->receiveText("reply:late");
  runReady();
  connection_->sendText("later");
  runReady();
  EXPECT_TRUE(outlet_->deliveries.empty());
  EXPECT_TRUE(recorder_->messages.empty());
  EXPECT_EQ(log_, (Log{"closed 1000 ", "onWsClosed 1000"}));
}

TEST_F(WsConnectionRelayTest, PeerGoneReportsTheCloseOnceAndTellsTheOutletNothing) {
  connection_->peerGone(1001);
  EXPECT_EQ(log_, (Log{"onWsClosed 1001"}));
  connection_->peerGone(1000);
  connection_->close(wsclose::Normal);
  runReady();
  EXPECT_EQ(log_, (Log{"onWsClosed 1001"}));
  EXPECT_FALSE(connection_->open());
}

TEST_F(WsConnectionRelayTest, PeerGoneDropsFramesQueuedInTheTurnAndSendsNothingLater) {
  connection_->sendText("queued");
  connection_->peerGone(1000);
  connection_->sendText("late");
  connection_->receiveText("reply:late");
  runReady();
  EXPECT_TRUE(outlet_->deliveries.empty());
  EXPECT_TRUE(recorder_->messages.empty());
  EXPECT_EQ(closesSeen(), 1u);
}

TEST_F(WsConnectionRelayTest, PeerGoneBeforeACloseHasFinishedStillReportsOnce) {
  connection_->close(wsclose::TokenExpired, "token expired");
  connection_->peerGone(1000);
  runReady();
  EXPECT_EQ(closesSeen(), 1u);
  EXPECT_EQ(log_.front(), "closed 4011 token expired");
}

TEST_F(WsConnectionRelayTest, AnOverflowingTurnClosesAsASlowConsumer) {
  const std::string chunk(256 * 1024, 'c');
  const size_t count = WsSettings{}.sendQueueBytes / chunk.size() + 1;
  for (size_t i = 0; i < count; ++i) connection_->sendText(chunk);
  runReady();
  ASSERT_FALSE(log_.empty());
  EXPECT_EQ(log_.front(), "closed 4008 slow consumer");
  EXPECT_EQ(log_.back(), "onWsClosed 4008");
  EXPECT_TRUE(outlet_->deliveries.empty()) << "the overflowing queue is dropped, not delivered";
}

TEST_F(WsConnectionRelayTest, OneMessageLargerThanTheQueueLimitIsSentNotRefused) {
  // A large document's sync answer, say: the peer asked for it, and a small reply before it.
  connection_->sendText("ack");
  const std::string large(WsSettings{}.sendQueueBytes + 1024 * 1024, 'l');
  connection_->sendText(large);
  runReady();
  EXPECT_EQ(closesSeen(), 0u);
  ASSERT_EQ(outlet_->deliveries.size(), 1u);
  EXPECT_GT(outlet_->deliveries.front().size(), large.size());
  // Frames piling up beside it past the limit still close the connection.
  connection_->sendText(large);
  const std::string chunk(256 * 1024, 'c');
  for (size_t i = 0; i < WsSettings{}.sendQueueBytes / chunk.size() + 1; ++i) connection_->sendText(chunk);
  runReady();
  EXPECT_EQ(closesSeen(), 1u);
  EXPECT_EQ(std::count(log_.begin(), log_.end(), "closed 4008 slow consumer"), 1);
  EXPECT_EQ(outlet_->deliveries.size(), 1u) << "the overflowing queue is dropped, not delivered";
}

TEST_F(WsConnectionRelayTest, RelayedConnectionsAreNotCountedAmongTheLoops) {
  const size_t before = loop_.connectionCount();
  EXPECT_EQ(before, 0u) << "the fixture's started connection is not counted either";
  auto other = std::make_shared<WsConnection>(loop_, std::make_shared<RecordingOutlet>(log_));
  other->start(std::make_shared<Recorder>(log_));
  EXPECT_EQ(loop_.connectionCount(), before);
  other->close(wsclose::Normal);
  connection_->peerGone(1000);
  runReady();
  EXPECT_EQ(loop_.connectionCount(), before);
  EXPECT_EQ(closesSeen(), 2u);
}

}  // namespace
}  // namespace onair::net
