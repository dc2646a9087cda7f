#pragma once
// Writes RTCP packets (SR, RR, generic NACK, PLI, FIR; wire formats in SenderReport.hpp,
// ReceiverReport.hpp, NackPacket.hpp, PliPacket.hpp, FirPacket.hpp) one after another into a
// caller's buffer, so consecutive calls build a compound packet (RFC 3550 §6.1).
//
// Contract: each call appends one packet and returns its size in bytes, or returns 0 and writes
// nothing when it does not fit in what is left of the buffer, or the packet cannot be expressed
// (over 31 report blocks; a NACK with no sequence numbers or a FIR with no entries). No padding
// is written. No allocation.
#include <cstddef>
#include <cstdint>
#include <span>

#include "rtc/rtp/FirPacket.hpp"
#include "rtc/rtp/NackPacket.hpp"
#include "rtc/rtp/PliPacket.hpp"
#include "rtc/rtp/ReceiverReport.hpp"
#include "rtc/rtp/SenderReport.hpp"

namespace onair::rtc::rtp {

class RtcpWriter {
 public:
  explicit RtcpWriter(std::span<uint8_t> out) : out_(out) {}

  size_t senderReport(const SenderReport& sr);
  size_t receiverReport(const ReceiverReport& rr);
  // `nack.lost` in sending order: each number within 16 after the current entry's PID (mod 2^16)
  // joins its BLP, any other starts a new entry. Ascending runs give the fewest entries.
  size_t nack(const NackPacket& nack);
  size_t pli(const PliPacket& pli);
  // The media SSRC is written as 0 (RFC 5104 §4.3.1.2).
  size_t fir(const FirPacket& fir);

  // The packets written so far.
  std::span<const uint8_t> written() const { return out_.first(size_); }
  size_t size() const { return size_; }

 private:
  // Room for a `bytes`-long packet (a multiple of 4): its start, or nullptr.
  uint8_t* reserve(size_t bytes) const;
  // Writes the common header at `p` and accounts for the packet.
  size_t finish(uint8_t* p, uint8_t count, uint8_t type, size_t bytes);
  static size_t nackEntries(std::span<const uint16_t> lost);

  std::span<uint8_t> out_;
  size_t size_ = 0;
};

}  // namespace onair::rtc::rtp
