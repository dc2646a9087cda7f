#include "rtc/sfu/RetransmissionBuffer.hpp"

#include <gtest/gtest.h>

#include <vector>

using onair::rtc::sfu::RetransmissionBuffer;
using namespace std::chrono_literals;

namespace {

const RetransmissionBuffer::Clock::time_point t0{};

// Bytes that say which sequence number (and which copy) they are.
std::vector<uint8_t> packet(uint16_t seq, uint8_t copy = 0, size_t size = 100) {
  std::vector<uint8_t> bytes(size, copy);
  bytes[0] = static_cast<uint8_t>(seq >> 8);
  bytes[1] = static_cast<uint8_t>(seq);
  return bytes;
}

std::vector<uint8_t> found(const RetransmissionBuffer& buffer, uint16_t seq,
                           RetransmissionBuffer::Clock::time_point now = t0) {
  const auto bytes = buffer.find(seq, now);
  return {bytes.begin(), bytes.end()};
}

}  // namespace

TEST(RetransmissionBuffer, FindsWhatWasStored) {
  RetransmissionBuffer buffer(8);
  for (uint16_t seq = 100; seq < 105; ++seq) EXPECT_TRUE(buffer.store(seq, packet(seq), t0));
  for (uint16_t seq = 100; seq < 105; ++seq) EXPECT_EQ(found(buffer, seq), packet(seq));
  EXPECT_TRUE(found(buffer, 99).empty());   // never stored, older
  EXPECT_TRUE(found(buffer, 105).empty());  // never stored, newer
}

TEST(RetransmissionBuffer, NothingIsFoundBeforeTheFirstStore) {
  RetransmissionBuffer buffer(8);
  EXPECT_TRUE(found(buffer, 0).empty());
  EXPECT_TRUE(found(buffer, 65535).empty());
}

TEST(RetransmissionBuffer, KeepsOnlyTheLastCapacityPackets) {
  RetransmissionBuffer buffer(4);
  for (uint16_t seq = 0; seq < 10; ++seq) buffer.store(seq, packet(seq), t0);
  for (uint16_t seq = 0; seq < 6; ++seq) EXPECT_TRUE(found(buffer, seq).empty()) << seq;
  for (uint16_t seq = 6; seq < 10; ++seq) EXPECT_EQ(found(buffer, seq), packet(seq)) << seq;
}

TEST(RetransmissionBuffer, AJumpForwardEvictsEverythingBehindTheWindow) {
  RetransmissionBuffer buffer(4);
  buffer.store(10, packet(10), t0);
  buffer.store(11, packet(11), t0);
  buffer.store(14, packet(14), t0);  // 10 falls out: the window is 11..14
  EXPECT_TRUE(found(buffer, 10).empty());
  EXPECT_EQ(found(buffer, 11), packet(11));
  EXPECT_TRUE(found(buffer, 12).empty());
  buffer.store(1000, packet(1000), t0);
  EXPECT_TRUE(found(buffer, 11).empty());
  EXPECT_TRUE(found(buffer, 14).empty());
  EXPECT_EQ(found(buffer, 1000), packet(1000));
}

TEST(RetransmissionBuffer, WrapsAround65535) {
  RetransmissionBuffer buffer(16);
  for (uint32_t i = 0; i < 10; ++i) {
    const auto seq = static_cast<uint16_t>(65530 + i);
    buffer.store(seq, packet(seq), t0);
  }
  for (uint32_t i = 0; i < 10; ++i) {
    const auto seq = static_cast<uint16_t>(65530 + i);
    EXPECT_EQ(found(buffer, seq), packet(seq)) << seq;
  }
  EXPECT_TRUE(found(buffer, 4).empty());
  EXPECT_TRUE(found(buffer, 65529).empty());
}

TEST(RetransmissionBuffer, CapacitiesThatDoNotDivideTheSequenceSpaceWrapToo) {
  // 65536 % 5 != 0: slots must follow the extended sequence number, not the 16 bits.
  RetransmissionBuffer buffer(5);
  for (uint32_t i = 0; i < 5; ++i) {
    const auto seq = static_cast<uint16_t>(65533 + i);
    buffer.store(seq, packet(seq), t0);
  }
  for (uint32_t i = 0; i < 5; ++i) {
    const auto seq = static_cast<uint16_t>(65533 + i);
    EXPECT_EQ(found(buffer, seq), packet(seq)) << seq;
  }
}

TEST(RetransmissionBuffer, StoresOutOfOrderPacketsWithinTheWindow) {
  RetransmissionBuffer buffer(8);
  buffer.store(10, packet(10), t0);
  buffer.store(13, packet(13), t0);
  buffer.store(12, packet(12), t0);
  buffer.store(11, packet(11), t0);
  for (uint16_t seq = 10; seq <= 13; ++seq) EXPECT_EQ(found(buffer, seq), packet(seq)) << seq;
  // Across the wrap, late.
  RetransmissionBuffer wrapped(8);
  wrapped.store(1, packet(1), t0);
  EXPECT_TRUE(wrapped.store(65535, packet(65535), t0));
  EXPECT_TRUE(wrapped.store(0, packet(0), t0));
  EXPECT_EQ(found(wrapped, 65535), packet(65535));
  EXPECT_EQ(found(wrapped, 0), packet(0));
  EXPECT_EQ(found(wrapped, 1), packet(1));
}

TEST(RetransmissionBuffer, RefusesPacketsTooLateForTheWindow) {
  RetransmissionBuffer buffer(4);
  buffer.store(20, packet(20), t0);
  EXPECT_FALSE(buffer.store(16, packet(16), t0));  // the window is 17..20
  EXPECT_TRUE(found(buffer, 16).empty());
  EXPECT_TRUE(buffer.store(17, packet(17), t0));
  EXPECT_EQ(found(buffer, 20), packet(20));
}

TEST(RetransmissionBuffer, ADuplicateReplacesTheStoredCopy) {
  RetransmissionBuffer buffer(4);
  buffer.store(7, packet(7, 1), t0);
  buffer.store(8, packet(8), t0);
  EXPECT_TRUE(buffer.store(7, packet(7, 2, 60), t0));
  EXPECT_EQ(found(buffer, 7), packet(7, 2, 60));
  EXPECT_EQ(found(buffer, 8), packet(8));
}

TEST(RetransmissionBuffer, PacketsOlderThanMaxAgeAreNotFound) {
  RetransmissionBuffer buffer(16, 1000ms);
  buffer.store(1, packet(1), t0);
  buffer.store(2, packet(2), t0 + 600ms);
  EXPECT_EQ(found(buffer, 1, t0 + 1000ms), packet(1));
  EXPECT_TRUE(found(buffer, 1, t0 + 1001ms).empty());
  EXPECT_EQ(found(buffer, 2, t0 + 1500ms), packet(2));
  EXPECT_TRUE(found(buffer, 2, t0 + 1601ms).empty());
}

TEST(RetransmissionBuffer, RefusesEmptyAndOversizedPackets) {
  RetransmissionBuffer buffer(4);
  EXPECT_FALSE(buffer.store(1, {}, t0));
  EXPECT_FALSE(buffer.store(2, packet(2, 0, RetransmissionBuffer::kSlotBytes + 1), t0));
  EXPECT_TRUE(buffer.store(3, packet(3, 0, RetransmissionBuffer::kSlotBytes), t0));
  EXPECT_EQ(found(buffer, 3), packet(3, 0, RetransmissionBuffer::kSlotBytes));
  EXPECT_TRUE(found(buffer, 2).empty());
}

TEST(RetransmissionBuffer, CapacityZeroKeepsNothing) {
  RetransmissionBuffer audio(0);
  EXPECT_EQ(audio.capacity(), 0u);
  EXPECT_FALSE(audio.store(1, packet(1), t0));
  EXPECT_TRUE(found(audio, 1).empty());
}

TEST(RetransmissionBuffer, CapacityIsClamped) {
  RetransmissionBuffer buffer(1'000'000);
  EXPECT_EQ(buffer.capacity(), RetransmissionBuffer::kMaxCapacity);
}

TEST(RetransmissionBuffer, ClearForgetsEverything) {
  RetransmissionBuffer buffer(8);
  buffer.store(5, packet(5), t0);
  buffer.clear();
  EXPECT_TRUE(found(buffer, 5).empty());
  // And starts again anywhere.
  EXPECT_TRUE(buffer.store(40000, packet(40000), t0));
  EXPECT_EQ(found(buffer, 40000), packet(40000));
}

TEST(RetransmissionBuffer, APacketFarBehindIsASequenceRestart) {
  RetransmissionBuffer buffer(8);
  buffer.store(30000, packet(30000), t0);
  const auto restart = static_cast<uint16_t>(30000 - RetransmissionBuffer::kRestartDistance - 1);
  EXPECT_TRUE(buffer.store(restart, packet(restart), t0));
  EXPECT_EQ(found(buffer, restart), packet(restart));
  EXPECT_TRUE(found(buffer, 30000).empty());
  buffer.store(static_cast<uint16_t>(restart + 1), packet(static_cast<uint16_t>(restart + 1)), t0);
  EXPECT_EQ(found(buffer, restart), packet(restart));
}
