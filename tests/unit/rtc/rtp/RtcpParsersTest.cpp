// The RTCP packet parsers, each on a packet written out from its RFC diagram.
#include <gtest/gtest.h>

#include <vector>

#include "RtpTestData.hpp"
#include "rtc/rtp/ByePacket.hpp"
#include "rtc/rtp/FirPacket.hpp"
#include "rtc/rtp/NackPacket.hpp"
#include "rtc/rtp/PliPacket.hpp"
#include "rtc/rtp/ReceiverReport.hpp"
#include "rtc/rtp/RembPacket.hpp"
#include "rtc/rtp/RtcpCompound.hpp"
#include "rtc/rtp/SdesPacket.hpp"
#include "rtc/rtp/SenderReport.hpp"
#include "rtc/rtp/TransportCcPacket.hpp"

using namespace onair::rtc::rtp;
using namespace onair::rtc::rtp::testdata;

namespace {

// The first packet of `bytes` (which must walk cleanly).
RtcpPacketView first(const std::vector<uint8_t>& bytes) {
  RtcpCompound compound(bytes);
  const auto view = compound.next();
  EXPECT_TRUE(view) << RtcpCompound::describe(compound.error());
  return view.value_or(RtcpPacketView{});
}

constexpr std::string_view kBlock =
    "55 66 77 88  19 ff ff fe  00 01 00 05  00 00 00 20  2f 4a 1b 80  00 00 10 00";

void expectBlock(const ReportBlock& b) {
  EXPECT_EQ(b.ssrc, 0x55667788u);
  EXPECT_EQ(b.fractionLost, 0x19);
  EXPECT_EQ(b.cumulativeLost, -2);
  EXPECT_EQ(b.highestSequence, 0x00010005u);
  EXPECT_EQ(b.jitter, 0x20u);
  EXPECT_EQ(b.lastSr, 0x2f4a1b80u);
  EXPECT_EQ(b.delaySinceLastSr, 0x1000u);
}

}  // namespace

TEST(SenderReport, ParsesSenderInfoAndBlocks) {
  const auto bytes = hex(std::string("81 c8 00 0c 11 22 33 44 e1 2f 4a 1b 80 00 00 00 00 01 5f 90 00 00 00 0a 00 00 03 e8") +
                         std::string(kBlock));
  const auto sr = SenderReport::parse(first(bytes));
  ASSERT_TRUE(sr);
  EXPECT_EQ(sr->ssrc, 0x11223344u);
  EXPECT_EQ(sr->ntpTimestamp, 0xe12f4a1b80000000ull);
  EXPECT_EQ(sr->rtpTimestamp, 90000u);
  EXPECT_EQ(sr->packetCount, 10u);
  EXPECT_EQ(sr->octetCount, 1000u);
  ASSERT_EQ(sr->reports.size(), 1u);
  expectBlock(sr->reports[0]);
  // RC says 2 blocks, the body has 1.
  auto wrongCount = bytes;
  wrongCount[0] = 0x82;
  EXPECT_FALSE(SenderReport::parse(first(wrongCount)));
  EXPECT_FALSE(ReceiverReport::parse(first(bytes)));  // not an RR
}

TEST(ReceiverReport, ParsesBlocks) {
  const auto rr = ReceiverReport::parse(first(hex("81 c9 00 07 11 22 33 44" + std::string(kBlock))));
  ASSERT_TRUE(rr);
  EXPECT_EQ(rr->ssrc, 0x11223344u);
  ASSERT_EQ(rr->reports.size(), 1u);
  expectBlock(rr->reports[0]);
  EXPECT_FALSE(ReceiverReport::parse(first(hex("81 c9 00 01 11 22 33 44"))));
}

TEST(SdesPacket, ReadsTheCnameOfEachChunk) {
  // Chunk 1: NAME "x", CNAME "abc", end, pad. Chunk 2: CNAME "hello!!", end.
  const auto bytes = hex(
      "82 ca 00 08  11 11 11 11 02 01 78 01 03 61 62 63 00 00 00 00  22 22 22 22 01 07 68 65 6c 6c 6f 21 21 00 00 00");
  const auto sdes = SdesPacket::parse(first(bytes));  // the CNAMEs are views into `bytes`
  ASSERT_TRUE(sdes);
  ASSERT_EQ(sdes->chunks.size(), 2u);
  EXPECT_EQ(sdes->chunks[0].ssrc, 0x11111111u);
  EXPECT_EQ(sdes->chunks[0].cname, "abc");
  EXPECT_EQ(sdes->chunks[1].ssrc, 0x22222222u);
  EXPECT_EQ(sdes->chunks[1].cname, "hello!!");
  // No end byte; an item running past the body; SC larger than the chunks.
  EXPECT_FALSE(SdesPacket::parse(first(hex("81 ca 00 02 11 11 11 11 01 02 61 62"))));
  EXPECT_FALSE(SdesPacket::parse(first(hex("81 ca 00 02 11 11 11 11 01 09 61 62"))));
  EXPECT_FALSE(SdesPacket::parse(first(hex("82 ca 00 02 11 11 11 11 01 01 61 00"))));
}

TEST(ByePacket, ReadsSourcesAndReason) {
  const auto bytes = hex("82 cb 00 04 11 11 11 11 22 22 22 22 04 62 79 65 21 00 00 00");
  const auto bye = ByePacket::parse(first(bytes));
  ASSERT_TRUE(bye);
  EXPECT_EQ(bye->ssrcs, (std::vector<uint32_t>{0x11111111, 0x22222222}));
  EXPECT_EQ(bye->reason, "bye!");
  EXPECT_FALSE(ByePacket::parse(first(hex("82 cb 00 01 11 11 11 11"))));
  EXPECT_FALSE(ByePacket::parse(first(hex("81 cb 00 02 11 11 11 11 09 62 79 65"))));
}

TEST(NackPacket, ExpandsPidAndBlp) {
  // PID 100 with BLP bits 0 and 15 (101, 116); PID 65535 with bit 0 (0, across the wrap).
  const auto nack = NackPacket::parse(first(hex("81 cd 00 04 00 00 00 01 00 00 00 02 00 64 80 01 ff ff 00 01")));
  ASSERT_TRUE(nack);
  EXPECT_EQ(nack->senderSsrc, 1u);
  EXPECT_EQ(nack->mediaSsrc, 2u);
  EXPECT_EQ(nack->lost, (std::vector<uint16_t>{100, 101, 116, 65535, 0}));
  EXPECT_FALSE(NackPacket::parse(first(hex("81 cd 00 02 00 00 00 01 00 00 00 02"))));  // no entry
  EXPECT_FALSE(NackPacket::parse(first(hex("81 cd 00 01 00 00 00 01"))));              // no media SSRC
  EXPECT_FALSE(NackPacket::parse(first(hex("8f cd 00 03 00 00 00 01 00 00 00 02 00 64 80 01"))));  // FMT 15
}

TEST(PliPacket, ReadsBothSsrcs) {
  const auto pli = PliPacket::parse(first(hex("81 ce 00 02 00 00 00 01 00 00 00 02")));
  ASSERT_TRUE(pli);
  EXPECT_EQ(pli->senderSsrc, 1u);
  EXPECT_EQ(pli->mediaSsrc, 2u);
  EXPECT_FALSE(PliPacket::parse(first(hex("81 cd 00 02 00 00 00 01 00 00 00 02"))));  // RTPFB
  EXPECT_FALSE(PliPacket::parse(first(hex("84 ce 00 02 00 00 00 01 00 00 00 02"))));  // FIR
}

TEST(FirPacket, ReadsEntries) {
  const auto fir = FirPacket::parse(
      first(hex("84 ce 00 06 00 00 00 01 00 00 00 00 aa aa aa aa 07 00 00 00 bb bb bb bb 08 00 00 00")));
  ASSERT_TRUE(fir);
  EXPECT_EQ(fir->senderSsrc, 1u);
  ASSERT_EQ(fir->entries.size(), 2u);
  EXPECT_EQ(fir->entries[0], (FirPacket::Entry{0xaaaaaaaa, 7}));
  EXPECT_EQ(fir->entries[1], (FirPacket::Entry{0xbbbbbbbb, 8}));
  EXPECT_FALSE(FirPacket::parse(first(hex("84 ce 00 02 00 00 00 01 00 00 00 00"))));
  EXPECT_FALSE(FirPacket::parse(first(hex("84 ce 00 03 00 00 00 01 00 00 00 00 aa aa aa aa"))));
}

TEST(RembPacket, ReadsBitrateAndSsrcs) {
  // Exponent 3, mantissa 0x3ffff: 2097144 bit/s, for two SSRCs.
  const auto remb = RembPacket::parse(
      first(hex("8f ce 00 06 00 00 00 01 00 00 00 00 52 45 4d 42 02 0f ff ff 00 00 00 0a 00 00 00 0b")));
  ASSERT_TRUE(remb);
  EXPECT_EQ(remb->senderSsrc, 1u);
  EXPECT_EQ(remb->bitrate, 0x3ffffull << 3);
  EXPECT_EQ(remb->ssrcs, (std::vector<uint32_t>{10, 11}));
  // Exponent 63 with a full mantissa saturates.
  const auto huge = RembPacket::parse(first(hex("8f ce 00 04 00 00 00 01 00 00 00 00 52 45 4d 42 00 ff ff ff")));
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->bitrate, UINT64_MAX);
  EXPECT_FALSE(RembPacket::parse(first(hex("8f ce 00 04 00 00 00 01 00 00 00 00 52 45 4d 43 00 0f ff ff"))));
  EXPECT_FALSE(RembPacket::parse(first(hex("8f ce 00 04 00 00 00 01 00 00 00 00 52 45 4d 42 01 0f ff ff"))));
}

TEST(TransportCcPacket, ReadsTheFieldsBeforeTheChunks) {
  const auto cc = TransportCcPacket::parse(
      first(hex("8f cd 00 05 00 00 00 01 00 00 00 02 01 00 00 05 ff ff fe 09 20 05 00 00")));
  ASSERT_TRUE(cc);
  EXPECT_EQ(cc->senderSsrc, 1u);
  EXPECT_EQ(cc->mediaSsrc, 2u);
  EXPECT_EQ(cc->baseSequence, 256);
  EXPECT_EQ(cc->packetStatusCount, 5);
  EXPECT_EQ(cc->referenceTime, -2);
  EXPECT_EQ(cc->feedbackPacketCount, 9);
  EXPECT_EQ(cc->chunks.size(), 4u);
  EXPECT_FALSE(TransportCcPacket::parse(first(hex("8f cd 00 03 00 00 00 01 00 00 00 02 01 00 00 05"))));
}
