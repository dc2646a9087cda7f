// UdpSocket over real UDP on 127.0.0.1 ephemeral ports: delivery with the sender's address,
// batches larger than one sendmmsg, the bounded queue, oversized datagrams, writing in place.
#include "net/UdpSocket.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

using onair::net::UdpSocket;

namespace {

struct Received {
  std::vector<uint8_t> bytes;
  UdpSocket::Endpoint from;
};

struct Collector : UdpSocket::Listener {
  std::vector<Received> packets;
  void OnUdpSocketPacket(UdpSocket&, std::span<uint8_t> data, const UdpSocket::Endpoint& remote) override {
    packets.push_back({{data.begin(), data.end()}, remote});
  }
};

std::vector<uint8_t> bytesOf(const std::string& text) { return {text.begin(), text.end()}; }

class UdpSocketTest : public ::testing::Test {
 protected:
  // Runs the loop until `done` or a generous bound (a failing test ends, never hangs).
  bool runUntil(const std::function<bool()>& done) {
    const auto giveUp = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!done() && std::chrono::steady_clock::now() < giveUp) {
      io.run_for(std::chrono::milliseconds(5));
      io.restart();
    }
    return done();
  }

  boost::asio::io_context io;
  Collector aSeen, bSeen;
};

TEST_F(UdpSocketTest, BindsAnEphemeralPortAndDeliversWithTheSendersAddress) {
  UdpSocket a(io, aSeen, "127.0.0.1", 0);
  UdpSocket b(io, bSeen, "127.0.0.1", 0);
  ASSERT_NE(a.localPort(), 0);
  ASSERT_NE(b.localPort(), a.localPort());

  EXPECT_TRUE(a.send(bytesOf("hello"), b.localEndpoint()));
  ASSERT_TRUE(runUntil([&] { return bSeen.packets.size() == 1; }));
  EXPECT_EQ(bSeen.packets[0].bytes, bytesOf("hello"));
  EXPECT_EQ(bSeen.packets[0].from, a.localEndpoint());

  // The answer goes back to the address the packet came from.
  EXPECT_TRUE(b.send(bytesOf("world"), bSeen.packets[0].from));
  ASSERT_TRUE(runUntil([&] { return aSeen.packets.size() == 1; }));
  EXPECT_EQ(aSeen.packets[0].bytes, bytesOf("world"));
  EXPECT_EQ(a.counters().packetsOut.load(), 1u);
  EXPECT_EQ(b.counters().packetsIn.load(), 1u);
  EXPECT_EQ(b.counters().bytesIn.load(), 5u);
}

TEST_F(UdpSocketTest, SendsMoreThanOneBatchQueuedInOneTurnInOrder) {
  UdpSocket a(io, aSeen, "127.0.0.1", 0);
  UdpSocket b(io, bSeen, "127.0.0.1", 0);
  constexpr size_t kCount = UdpSocket::kBatch * 3 + 5;
  for (size_t i = 0; i < kCount; ++i) ASSERT_TRUE(a.send(bytesOf("p" + std::to_string(i)), b.localEndpoint()));
  ASSERT_TRUE(runUntil([&] { return bSeen.packets.size() == kCount; }));
  for (size_t i = 0; i < kCount; ++i) EXPECT_EQ(bSeen.packets[i].bytes, bytesOf("p" + std::to_string(i)));
  EXPECT_EQ(a.queuedPackets(), 0u);
  EXPECT_EQ(a.counters().queueFull.load(), 0u);
}

TEST_F(UdpSocketTest, DropsAndCountsWhatFindsTheQueueFull) {
  UdpSocket a(io, aSeen, "127.0.0.1", 0, /*queueSlots=*/4);
  UdpSocket b(io, bSeen, "127.0.0.1", 0);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(a.send(bytesOf("kept"), b.localEndpoint()));
  EXPECT_FALSE(a.send(bytesOf("dropped"), b.localEndpoint()));
  EXPECT_TRUE(a.prepare(b.localEndpoint()).empty());
  EXPECT_EQ(a.counters().queueFull.load(), 2u);

  ASSERT_TRUE(runUntil([&] { return bSeen.packets.size() == 4; }));
  // Flushed at the end of the turn: room again.
  EXPECT_EQ(a.queuedPackets(), 0u);
  EXPECT_TRUE(a.send(bytesOf("after"), b.localEndpoint()));
  ASSERT_TRUE(runUntil([&] { return bSeen.packets.size() == 5; }));
  EXPECT_EQ(bSeen.packets[4].bytes, bytesOf("after"));
}

TEST_F(UdpSocketTest, RefusesEmptyAndOversizedSends) {
  UdpSocket a(io, aSeen, "127.0.0.1", 0);
  EXPECT_FALSE(a.send({}, a.localEndpoint()));
  const std::vector<uint8_t> big(UdpSocket::kMaxPacketBytes + 1, 0x80);
  EXPECT_FALSE(a.send(big, a.localEndpoint()));
  EXPECT_EQ(a.queuedPackets(), 0u);
}

TEST_F(UdpSocketTest, DropsAnOversizedDatagramAndKeepsReceiving) {
  UdpSocket b(io, bSeen, "127.0.0.1", 0);
  boost::asio::ip::udp::socket raw(io, boost::asio::ip::udp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  const std::vector<uint8_t> big(UdpSocket::kMaxPacketBytes + 100, 0x80);
  raw.send_to(boost::asio::buffer(big), b.localEndpoint());
  raw.send_to(boost::asio::buffer(std::string("small")), b.localEndpoint());
  ASSERT_TRUE(runUntil([&] { return bSeen.packets.size() == 1; }));
  EXPECT_EQ(bSeen.packets[0].bytes, bytesOf("small"));
  EXPECT_EQ(b.counters().oversizedIn.load(), 1u);
}

TEST_F(UdpSocketTest, WritesAPacketInPlaceThroughPrepareAndCommit) {
  UdpSocket a(io, aSeen, "127.0.0.1", 0);
  UdpSocket b(io, bSeen, "127.0.0.1", 0);
  std::span<uint8_t> slot = a.prepare(b.localEndpoint());
  ASSERT_EQ(slot.size(), UdpSocket::kMaxPacketBytes);
  slot[0] = 'i';
  slot[1] = 'n';
  a.commit(2);
  // A prepared slot left uncommitted is reused by the next send.
  a.prepare(b.localEndpoint())[0] = 'x';
  EXPECT_TRUE(a.send(bytesOf("next"), b.localEndpoint()));
  ASSERT_TRUE(runUntil([&] { return bSeen.packets.size() == 2; }));
  EXPECT_EQ(bSeen.packets[0].bytes, bytesOf("in"));
  EXPECT_EQ(bSeen.packets[1].bytes, bytesOf("next"));
}

TEST_F(UdpSocketTest, RefusesAnAddressItCannotBind) {
  EXPECT_THROW(UdpSocket(io, aSeen, "not-an-address", 0), boost::system::system_error);
}

}  // namespace

// Equal-sized packets to one address leave as one GSO message where the kernel has UDP GSO; the
// receiver gets them as the separate datagrams they were, in order, either way.
TEST_F(UdpSocketTest, CoalescesRunsToOneAddressWithGsoAndDeliversEachDatagram) {
  for (const bool gso : {true, false}) {
    Collector seenA, seenB;
    UdpSocket sender(io, aSeen, "127.0.0.1", 0);
    UdpSocket a(io, seenA, "127.0.0.1", 0);
    UdpSocket b(io, seenB, "127.0.0.1", 0);
    sender.setGso(gso);
    if (gso) EXPECT_TRUE(sender.gso()) << "Linux ≥ 4.18 has UDP GSO; Debian 12's 6.1 does";
    std::vector<std::vector<uint8_t>> toA;
    for (int i = 0; i < 5; ++i) toA.push_back(std::vector<uint8_t>(1000, uint8_t('a' + i)));
    toA.push_back(std::vector<uint8_t>(300, 'z'));  // shorter: may end a run
    toA.push_back(std::vector<uint8_t>(1000, 'y')); // after a shorter one: a new run
    for (size_t i = 0; i < toA.size(); ++i) {
      ASSERT_TRUE(sender.send(toA[i], a.localEndpoint()));
      if (i == 2) ASSERT_TRUE(sender.send(std::vector<uint8_t>(1000, 'b'), b.localEndpoint()));  // another address breaks the run
    }
    ASSERT_TRUE(runUntil([&] { return seenA.packets.size() == toA.size() && seenB.packets.size() == 1; })) << "gso " << gso;
    for (size_t i = 0; i < toA.size(); ++i) EXPECT_EQ(seenA.packets[i].bytes, toA[i]) << "datagram " << i << ", gso " << gso;
    EXPECT_EQ(sender.counters().packetsOut.load(), toA.size() + 1);
    if (gso && sender.gso()) {
      EXPECT_GE(sender.counters().gsoMessages.load(), 2u);  // {a,b,c} and {d,e,z}
    } else {
      EXPECT_EQ(sender.counters().gsoMessages.load(), 0u);
    }
  }
}
