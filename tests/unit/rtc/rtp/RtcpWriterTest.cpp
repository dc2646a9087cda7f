#include "rtc/rtp/RtcpWriter.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "RtpTestData.hpp"
#include "rtc/rtp/RtcpCompound.hpp"

using namespace onair::rtc::rtp;
using namespace onair::rtc::rtp::testdata;

namespace {

ReportBlock block(uint32_t ssrc) {
  return {ssrc, 12, -5, 0x00020010, 33, 0x12345678, 65536};
}

std::vector<RtcpPacketView> walk(std::span<const uint8_t> bytes) {
  std::vector<RtcpPacketView> views;
  RtcpCompound compound(bytes);
  while (auto view = compound.next()) views.push_back(*view);
  EXPECT_EQ(compound.error(), RtcpCompound::Error::None);
  return views;
}

}  // namespace

TEST(RtcpWriter, WritesACompoundThatParsesBack) {
  std::array<uint8_t, 1500> buffer{};
  RtcpWriter w(buffer);
  SenderReport sr;
  sr.ssrc = 1;
  sr.ntpTimestamp = 0xe12f4a1b80000000ull;
  sr.rtpTimestamp = 90000;
  sr.packetCount = 10;
  sr.octetCount = 1000;
  sr.reports = {block(7), block(8)};
  EXPECT_EQ(w.senderReport(sr), 4u + 24 + 48);
  ReceiverReport rr;
  rr.ssrc = 2;
  rr.reports = {block(9)};
  EXPECT_EQ(w.receiverReport(rr), 4u + 4 + 24);
  EXPECT_EQ(w.pli({3, 4}), 12u);
  FirPacket fir;
  fir.senderSsrc = 5;
  fir.entries = {{6, 1}, {7, 255}};
  EXPECT_EQ(w.fir(fir), 12u + 16);
  EXPECT_EQ(w.size(), 76u + 32 + 12 + 28);

  const auto views = walk(w.written());
  ASSERT_EQ(views.size(), 4u);
  const auto sr2 = SenderReport::parse(views[0]);
  ASSERT_TRUE(sr2);
  EXPECT_EQ(sr2->ssrc, 1u);
  EXPECT_EQ(sr2->ntpTimestamp, sr.ntpTimestamp);
  EXPECT_EQ(sr2->rtpTimestamp, 90000u);
  EXPECT_EQ(sr2->packetCount, 10u);
  EXPECT_EQ(sr2->octetCount, 1000u);
  EXPECT_EQ(sr2->reports, sr.reports);
  const auto rr2 = ReceiverReport::parse(views[1]);
  ASSERT_TRUE(rr2);
  EXPECT_EQ(rr2->ssrc, 2u);
  EXPECT_EQ(rr2->reports, rr.reports);
  const auto pli = PliPacket::parse(views[2]);
  ASSERT_TRUE(pli);
  EXPECT_EQ(pli->senderSsrc, 3u);
  EXPECT_EQ(pli->mediaSsrc, 4u);
  const auto fir2 = FirPacket::parse(views[3]);
  ASSERT_TRUE(fir2);
  EXPECT_EQ(fir2->senderSsrc, 5u);
  EXPECT_EQ(fir2->entries, fir.entries);
  EXPECT_EQ(views[3].bytes[8] | views[3].bytes[9] | views[3].bytes[10] | views[3].bytes[11], 0);  // media SSRC 0
}

TEST(RtcpWriter, PacksNackEntriesWithBlp) {
  std::array<uint8_t, 64> buffer{};
  RtcpWriter w(buffer);
  NackPacket nack;
  nack.senderSsrc = 1;
  nack.mediaSsrc = 2;
  nack.lost = {100, 101, 116, 117, 65535, 0, 5};
  ASSERT_EQ(w.nack(nack), 12u + 3 * 4);
  EXPECT_EQ(std::vector<uint8_t>(w.written().begin(), w.written().end()),
            hex("81 cd 00 05 00 00 00 01 00 00 00 02 00 64 80 01 00 75 00 00 ff ff 00 21"));
  const auto views = walk(w.written());
  ASSERT_EQ(views.size(), 1u);
  const auto parsed = NackPacket::parse(views[0]);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->lost, nack.lost);
}

TEST(RtcpWriter, ClampsTheCumulativeLoss) {
  std::array<uint8_t, 64> buffer{};
  RtcpWriter w(buffer);
  ReceiverReport rr;
  rr.reports = {block(1), block(2)};
  rr.reports[0].cumulativeLost = 100000000;
  rr.reports[1].cumulativeLost = -100000000;
  ASSERT_GT(w.receiverReport(rr), 0u);
  const auto parsed = ReceiverReport::parse(walk(w.written())[0]);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->reports[0].cumulativeLost, ReportBlock::kMaxLost);
  EXPECT_EQ(parsed->reports[1].cumulativeLost, ReportBlock::kMinLost);
}

TEST(RtcpWriter, WritesNothingWithoutRoom) {
  std::array<uint8_t, 20> buffer{};
  RtcpWriter w(buffer);
  EXPECT_EQ(w.pli({1, 2}), 12u);
  EXPECT_EQ(w.pli({1, 2}), 0u);  // 8 bytes left
  SenderReport sr;
  EXPECT_EQ(w.senderReport(sr), 0u);
  EXPECT_EQ(w.receiverReport({3, {}}), 8u);  // exactly fills the buffer
  EXPECT_EQ(w.size(), 20u);
  EXPECT_EQ(w.nack({1, 2, {5}}), 0u);
  EXPECT_EQ(walk(w.written()).size(), 2u);
}

TEST(RtcpWriter, RefusesWhatCannotBeExpressed) {
  std::array<uint8_t, 1500> buffer{};
  RtcpWriter w(buffer);
  EXPECT_EQ(w.nack({1, 2, {}}), 0u);
  EXPECT_EQ(w.fir({1, {}}), 0u);
  ReceiverReport rr;
  rr.reports.assign(32, block(1));
  EXPECT_EQ(w.receiverReport(rr), 0u);
  SenderReport sr;
  sr.reports.assign(32, block(1));
  EXPECT_EQ(w.senderReport(sr), 0u);
  EXPECT_EQ(w.size(), 0u);
}
