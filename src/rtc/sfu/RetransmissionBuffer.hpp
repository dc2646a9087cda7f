#pragma once
// A producer stream's last packets, kept so that a consumer's NACK (RFC 4585 §6.2.1) can be
// answered from the SFU instead of from the publisher. Modelled on mediasoup's
// RTC::RtpRetransmissionBuffer, with fixed storage: `capacity` slots of kSlotBytes each are
// allocated once, in the constructor, and a packet is copied into the slot its sequence number
// maps to, so storing allocates nothing. (Audio streams use capacity 0: nothing is kept.)
//
// A packet can be found while it is one of the last `capacity` sequence numbers (counted from the
// newest stored) and no older than `maxAge`; a later packet mapping to its slot overwrites it.
// Packets arriving out of order are stored if they still fall within the window. A packet more
// than kRestartDistance behind the newest is taken as the sender restarting its sequence: the
// buffer is emptied and starts again from it. Sequence numbers wrap (see SeqNum).
//
// Pure logic: bytes and the current time go in; no sockets, no clock of its own. One thread.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace onair::rtc::sfu {

class RetransmissionBuffer {
 public:
  using Clock = std::chrono::steady_clock;

  // Room per slot: one Ethernet MTU, more than any RTP packet a WebRTC sender produces.
  static constexpr size_t kSlotBytes = 1500;
  // At most half the sequence space, beyond which "older" and "newer" are ambiguous.
  static constexpr size_t kMaxCapacity = 32768;
  static constexpr std::chrono::milliseconds kDefaultMaxAge{1000};
  static constexpr int64_t kRestartDistance = 10000;

  // `capacity` is clamped to kMaxCapacity.
  explicit RetransmissionBuffer(size_t capacity, std::chrono::milliseconds maxAge = kDefaultMaxAge);

  // Copies `packet` in as sequence number `seq`, received at `now`. False (nothing stored) when
  // the capacity is 0, the packet is empty or longer than kSlotBytes, or it is so late that it
  // falls behind the window. A packet with the same sequence number as one stored replaces it.
  bool store(uint16_t seq, std::span<const uint8_t> packet, Clock::time_point now);

  // The stored bytes of `seq`, or empty when it was never stored, has been overwritten or has
  // fallen out of the window, or is older than maxAge at `now`. Valid until the next store() or
  // clear().
  std::span<const uint8_t> find(uint16_t seq, Clock::time_point now) const;

  // Forgets every packet (the slots stay allocated).
  void clear() noexcept;

  size_t capacity() const noexcept { return slots_.size(); }
  std::chrono::milliseconds maxAge() const noexcept { return maxAge_; }

 private:
  struct Slot {
    int64_t extendedSeq = 0;
    Clock::time_point storedAt{};
    uint16_t length = 0;  // 0: empty
  };

  size_t slotIndex(int64_t extendedSeq) const noexcept;
  bool withinWindow(int64_t extendedSeq) const noexcept;

  std::chrono::milliseconds maxAge_;
  std::vector<Slot> slots_;
  std::unique_ptr<uint8_t[]> bytes_;  // slots_.size() * kSlotBytes, slot i at i * kSlotBytes
  bool empty_ = true;
  int64_t newest_ = 0;  // extended sequence number of the newest packet stored
};

}  // namespace onair::rtc::sfu
