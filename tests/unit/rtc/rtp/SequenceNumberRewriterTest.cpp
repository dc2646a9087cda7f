#include "rtc/rtp/SequenceNumberRewriter.hpp"

#include <gtest/gtest.h>

using onair::rtc::rtp::SequenceNumberRewriter;

namespace {

struct Sent {
  uint16_t seq;
  uint32_t timestamp;
};

Sent send(SequenceNumberRewriter& r, uint16_t seq, uint32_t timestamp, int64_t nowMs) {
  const auto out = r.rewrite(seq, timestamp, nowMs);
  EXPECT_TRUE(out) << "seq " << seq;
  return out ? Sent{out->seq, out->timestamp} : Sent{0, 0};
}

}  // namespace

TEST(SequenceNumberRewriter, TheFirstSourcePassesThrough) {
  SequenceNumberRewriter r(90000);
  const auto a = send(r, 1000, 5000, 0);
  EXPECT_EQ(a.seq, 1000);
  EXPECT_EQ(a.timestamp, 5000u);
  const auto b = send(r, 1002, 8000, 33);  // a gap in the source shows through
  EXPECT_EQ(b.seq, 1002);
  EXPECT_EQ(b.timestamp, 8000u);
}

TEST(SequenceNumberRewriter, ASwitchContinuesFromTheLastSent) {
  SequenceNumberRewriter r(90000);
  send(r, 100, 1000, 0);
  send(r, 101, 4000, 33);
  r.switchSource();
  // Another producer with unrelated numbers, 100 ms after the last packet.
  const auto first = send(r, 50000, 777777, 133);
  EXPECT_EQ(first.seq, 102);
  EXPECT_EQ(first.timestamp, 4000u + 9000);  // 100 ms at 90 kHz
  const auto next = send(r, 50001, 777777 + 3000, 166);
  EXPECT_EQ(next.seq, 103);
  EXPECT_EQ(next.timestamp, 4000u + 9000 + 3000);
}

TEST(SequenceNumberRewriter, AResumeAfterAPauseHasNoGap) {
  SequenceNumberRewriter r(48000);
  send(r, 10, 960, 0);
  send(r, 11, 1920, 20);
  r.switchSource();  // paused; the producer went on to seq 500 meanwhile
  const auto resumed = send(r, 500, 480000, 10020);
  EXPECT_EQ(resumed.seq, 12);
  EXPECT_EQ(resumed.timestamp, 1920u + 480000);  // 10 s at 48 kHz
}

TEST(SequenceNumberRewriter, WrapsBothNumbers) {
  SequenceNumberRewriter r(90000);
  send(r, 65535, 0xFFFFFF00u, 0);
  r.switchSource();
  const auto a = send(r, 7, 0, 0);  // same instant: the timestamp still moves by one tick
  EXPECT_EQ(a.seq, 0);
  EXPECT_EQ(a.timestamp, 0xFFFFFF01u);
  const auto b = send(r, 8, 300, 1);
  EXPECT_EQ(b.seq, 1);
  EXPECT_EQ(b.timestamp, 0xFFFFFF01u + 300);
  const auto c = send(r, 9, 600, 2);
  EXPECT_EQ(c.timestamp, uint32_t(0xFFFFFF01u + 600));  // wrapped past 2^32
}

TEST(SequenceNumberRewriter, ReorderingWithinASourceKeepsItsPlace) {
  SequenceNumberRewriter r(90000);
  send(r, 10, 0, 0);
  r.switchSource();
  EXPECT_EQ(send(r, 200, 0, 10).seq, 11);
  EXPECT_EQ(send(r, 203, 0, 11).seq, 14);
  EXPECT_EQ(send(r, 201, 0, 12).seq, 12);  // late, still in place
  EXPECT_EQ(send(r, 202, 0, 13).seq, 13);
  r.switchSource();
  EXPECT_EQ(send(r, 9000, 0, 14).seq, 15);  // continues after 14, the highest, not 13
}

TEST(SequenceNumberRewriter, DropsPacketsOlderThanTheSwitchPoint) {
  SequenceNumberRewriter r(90000);
  send(r, 10, 0, 0);
  send(r, 11, 0, 1);
  r.switchSource();
  send(r, 300, 0, 2);
  // seq 299 of the new source would become 11, which the old source already used.
  EXPECT_FALSE(r.rewrite(299, 0, 3));
  EXPECT_EQ(send(r, 301, 0, 4).seq, 13);
}
