#include "rtc/rtp/RtcpWriter.hpp"

#include "rtc/rtp/BigEndian.hpp"
#include "rtc/rtp/FeedbackHeader.hpp"
#include "rtc/rtp/RtcpType.hpp"

namespace onair::rtc::rtp {

namespace {

constexpr size_t kHeader = RtcpPacketView::kHeaderBytes;

// True when `seq` can ride in the BLP of an entry whose PID is `pid`.
bool inBlp(uint16_t pid, uint16_t seq) {
  const auto distance = uint16_t(seq - pid);
  return distance >= 1 && distance <= 16;
}

}  // namespace

uint8_t* RtcpWriter::reserve(size_t bytes) const {
  if (bytes > out_.size() - size_) return nullptr;
  return out_.data() + size_;
}

size_t RtcpWriter::finish(uint8_t* p, uint8_t count, uint8_t type, size_t bytes) {
  p[0] = uint8_t(0x80 | (count & 0x1F));
  p[1] = type;
  write16(p + 2, uint16_t(bytes / 4 - 1));
  size_ += bytes;
  return bytes;
}

size_t RtcpWriter::senderReport(const SenderReport& sr) {
  if (sr.reports.size() > SenderReport::kMaxBlocks) return 0;
  const size_t bytes = kHeader + SenderReport::kSenderInfoBytes + sr.reports.size() * ReportBlock::kBytes;
  uint8_t* p = reserve(bytes);
  if (p == nullptr) return 0;
  uint8_t* body = p + kHeader;
  write32(body, sr.ssrc);
  write64(body + 4, sr.ntpTimestamp);
  write32(body + 12, sr.rtpTimestamp);
  write32(body + 16, sr.packetCount);
  write32(body + 20, sr.octetCount);
  for (size_t i = 0; i < sr.reports.size(); ++i) {
    sr.reports[i].write(body + SenderReport::kSenderInfoBytes + i * ReportBlock::kBytes);
  }
  return finish(p, uint8_t(sr.reports.size()), rtcptype::SenderReport, bytes);
}

size_t RtcpWriter::receiverReport(const ReceiverReport& rr) {
  if (rr.reports.size() > ReceiverReport::kMaxBlocks) return 0;
  const size_t bytes = kHeader + 4 + rr.reports.size() * ReportBlock::kBytes;
  uint8_t* p = reserve(bytes);
  if (p == nullptr) return 0;
  write32(p + kHeader, rr.ssrc);
  for (size_t i = 0; i < rr.reports.size(); ++i) rr.reports[i].write(p + kHeader + 4 + i * ReportBlock::kBytes);
  return finish(p, uint8_t(rr.reports.size()), rtcptype::ReceiverReport, bytes);
}

size_t RtcpWriter::nackEntries(std::span<const uint16_t> lost) {
  size_t entries = 0;
  uint16_t pid = 0;
  for (size_t i = 0; i < lost.size(); ++i) {
    if (i > 0 && inBlp(pid, lost[i])) continue;
    pid = lost[i];
    ++entries;
  }
  return entries;
}

size_t RtcpWriter::nack(const NackPacket& nack) {
  if (nack.lost.empty()) return 0;
  const size_t bytes = kHeader + FeedbackHeader::kBytes + nackEntries(nack.lost) * NackPacket::kEntryBytes;
  uint8_t* p = reserve(bytes);
  if (p == nullptr) return 0;
  write32(p + kHeader, nack.senderSsrc);
  write32(p + kHeader + 4, nack.mediaSsrc);
  // Entries: a PID, then the following numbers within 16 of it as BLP bits.
  uint8_t* entry = p + kHeader + FeedbackHeader::kBytes;
  uint16_t pid = nack.lost[0];
  uint16_t blp = 0;
  for (size_t i = 1; i < nack.lost.size(); ++i) {
    if (inBlp(pid, nack.lost[i])) {
      blp = uint16_t(blp | (1u << (uint16_t(nack.lost[i] - pid) - 1)));
      continue;
    }
    write16(entry, pid);
    write16(entry + 2, blp);
    entry += NackPacket::kEntryBytes;
    pid = nack.lost[i];
    blp = 0;
  }
  write16(entry, pid);
  write16(entry + 2, blp);
  return finish(p, rtcptype::GenericNack, rtcptype::TransportFeedback, bytes);
}

size_t RtcpWriter::pli(const PliPacket& pli) {
  const size_t bytes = kHeader + FeedbackHeader::kBytes;
  uint8_t* p = reserve(bytes);
  if (p == nullptr) return 0;
  write32(p + kHeader, pli.senderSsrc);
  write32(p + kHeader + 4, pli.mediaSsrc);
  return finish(p, rtcptype::PictureLossIndication, rtcptype::PayloadFeedback, bytes);
}

size_t RtcpWriter::fir(const FirPacket& fir) {
  if (fir.entries.empty()) return 0;
  const size_t bytes = kHeader + FeedbackHeader::kBytes + fir.entries.size() * FirPacket::kEntryBytes;
  uint8_t* p = reserve(bytes);
  if (p == nullptr) return 0;
  write32(p + kHeader, fir.senderSsrc);
  write32(p + kHeader + 4, 0);
  uint8_t* entry = p + kHeader + FeedbackHeader::kBytes;
  for (const auto& e : fir.entries) {
    write32(entry, e.ssrc);
    entry[4] = e.sequenceNumber;
    write24(entry + 5, 0);
    entry += FirPacket::kEntryBytes;
  }
  return finish(p, rtcptype::FullIntraRequest, rtcptype::PayloadFeedback, bytes);
}

}  // namespace onair::rtc::rtp
