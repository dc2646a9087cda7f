// A publisher's stream through a lossy, reordering link into the SFU, simulated packet by packet
// with a seeded random source: NackGenerator finds the losses, NackList carries them in NACK
// items, the publisher answers from its RetransmissionBuffer over the same lossy link. Every lost
// packet must be requested and then recovered, and nothing that arrived must be requested.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <queue>
#include <random>
#include <set>
#include <vector>

#include "rtc/sfu/NackGenerator.hpp"
#include "rtc/sfu/NackList.hpp"
#include "rtc/sfu/RetransmissionBuffer.hpp"

using namespace onair::rtc::sfu;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kPacketInterval = 2ms;  // 500 packets a second
constexpr auto kOneWayDelay = 25ms;
constexpr auto kRtt = 2 * kOneWayDelay;
constexpr double kLossRate = 0.05;
constexpr double kReorderRate = 0.05;

struct Event {
  enum class Kind { SendAtPublisher, ArriveAtSfu, NackAtPublisher, SfuTimer } kind;
  Clock::time_point at;
  uint64_t order;  // ties in arrival order
  uint64_t index;  // the packet's position in the stream (SendAtPublisher, ArriveAtSfu)
  std::vector<uint8_t> bytes;  // the packet (ArriveAtSfu) or the NACK's FCI (NackAtPublisher)
  bool operator>(const Event& other) const { return at != other.at ? at > other.at : order > other.order; }
};

class Simulation {
 public:
  Simulation(uint32_t seed, uint16_t firstSeq) : random_(seed), firstSeq_(firstSeq) {}

  void run(uint64_t packets) {
    const Clock::time_point start{std::chrono::hours(1)};
    for (uint64_t i = 0; i < packets; ++i) {
      schedule({Event::Kind::SendAtPublisher, start + i * kPacketInterval, 0, i, {}});
    }
    schedule({Event::Kind::SfuTimer, start, 0, 0, {}});
    lastSend_ = start + packets * kPacketInterval;
    while (!events_.empty()) {
      Event event = events_.top();
      events_.pop();
      handle(event);
    }
  }

  std::set<uint64_t> lost;         // stream positions the link dropped on first transmission
  std::set<uint64_t> reordered;    // delivered late on first transmission
  std::set<uint64_t> received;     // positions the SFU has got, by any route
  std::set<uint64_t> requested;    // positions the SFU NACKed
  NackGenerator generator;
  RetransmissionBuffer publisherBuffer{512};
  uint64_t retransmitted = 0;

 private:
  uint16_t seqOf(uint64_t index) const { return static_cast<uint16_t>(firstSeq_ + index); }
  // The stream position of a sequence number the SFU names: the latest sent with those 16 bits.
  uint64_t indexOf(uint16_t seq) const { return sent_ - 1 - static_cast<uint16_t>(seqOf(sent_ - 1) - seq); }

  bool chance(double rate) { return std::uniform_real_distribution<double>(0, 1)(random_) < rate; }
  void schedule(Event event) {
    event.order = order_++;
    events_.push(std::move(event));
  }

  std::vector<uint8_t> packetBytes(uint64_t index) {
    std::vector<uint8_t> bytes(64 + index % 900);
    for (size_t i = 0; i < 8; ++i) bytes[i] = static_cast<uint8_t>(index >> (8 * i));
    return bytes;
  }

  void sendFromPublisher(uint64_t index, Clock::time_point at) {
    ++sent_;
    const auto bytes = packetBytes(index);
    publisherBuffer.store(seqOf(index), bytes, at);
    if (chance(kLossRate)) {
      lost.insert(index);
      return;
    }
    auto delay = kOneWayDelay;
    if (chance(kReorderRate)) {
      reordered.insert(index);
      delay += std::chrono::milliseconds(1 + random_() % 8);  // behind up to 4 later packets
    }
    schedule({Event::Kind::ArriveAtSfu, at + delay, 0, index, bytes});
  }

  void handle(const Event& event) {
    switch (event.kind) {
      case Event::Kind::SendAtPublisher: return sendFromPublisher(event.index, event.at);
      case Event::Kind::ArriveAtSfu: return arriveAtSfu(event);
      case Event::Kind::NackAtPublisher: return nackAtPublisher(event);
      case Event::Kind::SfuTimer: return sfuTimer(event.at);
    }
  }

  void arriveAtSfu(const Event& event) {
    ASSERT_EQ(event.bytes, packetBytes(event.index));
    received.insert(event.index);
    generator.received(seqOf(event.index), false, event.at);
    sendNacks(event.at);
  }

  void sfuTimer(Clock::time_point now) {
    sendNacks(now);
    // Tick every 10 ms while packets are still coming or anything is missing.
    if (now < lastSend_ + 2 * kOneWayDelay || generator.missingCount() > 0) {
      schedule({Event::Kind::SfuTimer, now + 10ms, 0, 0, {}});
    }
  }

  void sendNacks(Clock::time_point now) {
    const auto seqs = generator.due(now, kRtt);
    if (seqs.empty()) return;
    for (const uint16_t seq : seqs) requested.insert(indexOf(seq));
    std::vector<uint8_t> fci;
    NackList::write(NackList::encode(seqs), fci);
    if (chance(kLossRate)) return;  // the NACK itself is lost
    schedule({Event::Kind::NackAtPublisher, now + kOneWayDelay, 0, 0, fci});
  }

  void nackAtPublisher(const Event& event) {
    const auto items = NackList::read(event.bytes);
    ASSERT_TRUE(items);
    for (const uint16_t seq : NackList::decode(*items)) {
      const auto bytes = publisherBuffer.find(seq, event.at);
      ASSERT_FALSE(bytes.empty()) << "seq " << seq << " no longer buffered";
      ++retransmitted;
      if (chance(kLossRate)) continue;
      schedule({Event::Kind::ArriveAtSfu, event.at + kOneWayDelay, 0, indexOf(seq), {bytes.begin(), bytes.end()}});
    }
  }

  std::mt19937 random_;
  uint16_t firstSeq_;
  uint64_t sent_ = 0;
  uint64_t order_ = 0;
  Clock::time_point lastSend_{};
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
};

}  // namespace

TEST(NackRecoveryProperty, EveryLostPacketIsRequestedAndRecovered) {
  for (const uint32_t seed : {1u, 2u, 3u, 42u, 2026u}) {
    // Starting near the top so that the stream wraps, and long enough to wrap again.
    Simulation simulation(seed, static_cast<uint16_t>(65000 + seed));
    simulation.run(70000);
    SCOPED_TRACE(testing::Message() << "seed " << seed);

    ASSERT_GT(simulation.lost.size(), 3000u);
    for (const uint64_t index : simulation.lost) {
      ASSERT_TRUE(simulation.requested.contains(index)) << "lost packet " << index << " never requested";
      ASSERT_TRUE(simulation.received.contains(index)) << "lost packet " << index << " never recovered";
    }
    // Nothing requested that neither was lost nor arrived out of order.
    for (const uint64_t index : simulation.requested) {
      ASSERT_TRUE(simulation.lost.contains(index) || simulation.reordered.contains(index)) << index;
    }
    EXPECT_EQ(simulation.received.size(), 70000u);
    const auto& counters = simulation.generator.counters();
    EXPECT_EQ(counters.givenUp, 0u);
    EXPECT_EQ(counters.dropped, 0u);
    EXPECT_EQ(counters.requested, simulation.requested.size());
    EXPECT_GE(counters.recovered, simulation.lost.size());
    EXPECT_GT(counters.retried, 0u);  // lost retransmissions and NACKs were asked for again
    EXPECT_EQ(simulation.generator.missingCount(), 0u);
  }
}
