#include "rtc/sfu/RetransmissionBuffer.hpp"

#include <algorithm>
#include <cstring>

#include "rtc/sfu/SeqNum.hpp"

namespace onair::rtc::sfu {

RetransmissionBuffer::RetransmissionBuffer(size_t capacity, std::chrono::milliseconds maxAge)
    : maxAge_(maxAge),
      slots_(std::min(capacity, kMaxCapacity)),
      bytes_(std::make_unique_for_overwrite<uint8_t[]>(slots_.size() * kSlotBytes)) {}

size_t RetransmissionBuffer::slotIndex(int64_t extendedSeq) const noexcept {
  const auto n = static_cast<int64_t>(slots_.size());
  return static_cast<size_t>(((extendedSeq % n) + n) % n);
}

bool RetransmissionBuffer::withinWindow(int64_t extendedSeq) const noexcept {
  return extendedSeq <= newest_ && newest_ - extendedSeq < static_cast<int64_t>(slots_.size());
}

bool RetransmissionBuffer::store(uint16_t seq, std::span<const uint8_t> packet, Clock::time_point now) {
  if (slots_.empty() || packet.empty() || packet.size() > kSlotBytes) return false;

  // The first packet, or one so far behind that the sender must have restarted: start over.
  int64_t extended = empty_ ? seq : SeqNum::extend(seq, newest_);
  if (!empty_ && newest_ - extended > kRestartDistance) {
    clear();
    extended = seq;
  }
  if (empty_) {
    empty_ = false;
    newest_ = extended;
  }

  // Newer: it becomes the window's front; slots of packets that fell out no longer match.
  if (extended > newest_) newest_ = extended;
  // Late, behind the window: its slot now belongs to a newer packet.
  if (!withinWindow(extended)) return false;

  const size_t index = slotIndex(extended);
  std::memcpy(bytes_.get() + index * kSlotBytes, packet.data(), packet.size());
  slots_[index] = Slot{extended, now, static_cast<uint16_t>(packet.size())};
  return true;
}

std::span<const uint8_t> RetransmissionBuffer::find(uint16_t seq, Clock::time_point now) const {
  if (empty_) return {};
  const int64_t extended = SeqNum::extend(seq, newest_);
  if (!withinWindow(extended)) return {};

  const size_t index = slotIndex(extended);
  const Slot& slot = slots_[index];
  // Empty, or holding another packet that maps to the same slot.
  if (slot.length == 0 || slot.extendedSeq != extended) return {};
  if (now - slot.storedAt > maxAge_) return {};
  return {bytes_.get() + index * kSlotBytes, slot.length};
}

void RetransmissionBuffer::clear() noexcept {
  std::fill(slots_.begin(), slots_.end(), Slot{});
  empty_ = true;
  newest_ = 0;
}

}  // namespace onair::rtc::sfu
