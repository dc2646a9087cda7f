#pragma once
// Per consumer: the sequence numbers and timestamps a consumer sees stay one continuous stream
// while the SFU switches what it forwards (another producer, another simulcast layer, or the same
// producer resumed after a pause). A receiver treats a jump in sequence numbers as loss (and
// NACKs it) and a jump in timestamps as a long freeze or a reset, so both are rewritten.
//
// Within one source, output = input + offset (mod 2^16 and 2^32), so gaps and reordering in the
// source show through unchanged. At a switch (switchSource(), then the next packet), the offsets
// are chosen so that the first packet of the new source gets the highest sequence number sent so
// far + 1 and a timestamp that advanced from the newest one sent by the wall time between them
// (at the codec's clock rate, at least 1 tick).
//
// Contract: pure (the caller passes the arrival time). A packet of the current source older than
// its first forwarded packet is refused: its number would fall among the ones the previous source
// used. The first packet ever keeps its own numbers. After switchSource() the caller passes only
// the new source's packets (it tells sources apart by SSRC); a late packet of the old one would be
// taken for the new one's.
#include <cstdint>
#include <optional>

#include "rtc/rtp/SequenceNumberUnwrapper.hpp"

namespace onair::rtc::rtp {

class SequenceNumberRewriter {
 public:
  struct Output {
    uint16_t seq = 0;
    uint32_t timestamp = 0;
  };

  // `clockRate` in Hz: 90000 for video, 48000 for Opus.
  explicit SequenceNumberRewriter(uint32_t clockRate) : clockRate_(clockRate) {}

  // The next packet comes from a new source or follows a pause; its numbers continue the output.
  void switchSource() { switching_ = true; }

  // The consumer's numbers for a packet of the current source, arrived at `nowMs` (any monotonic
  // clock in milliseconds), or nullopt when it must be dropped (see the contract).
  std::optional<Output> rewrite(uint16_t seq, uint32_t timestamp, int64_t nowMs);

 private:
  void startSource(uint16_t seq, uint32_t timestamp, int64_t nowMs);

  uint32_t clockRate_;
  bool switching_ = true;
  bool sentAny_ = false;
  SequenceNumberUnwrapper source_;
  int64_t sourceFirst_ = 0;  // the unwrapped number of the source's first forwarded packet
  uint16_t seqOffset_ = 0;
  uint32_t timestampOffset_ = 0;
  // The newest packet sent: its output numbers and when it arrived.
  uint16_t lastSeq_ = 0;
  uint32_t lastTimestamp_ = 0;
  int64_t lastMs_ = 0;
};

}  // namespace onair::rtc::rtp
