// fuzz_nack: the NACK path of the SFU. The whole input is read as a generic NACK FCI (bytes from
// a consumer); then, independently, as a sequence of operations on one NackGenerator,
// RetransmissionBuffer and KeyframeRequestLimiter, so that any order of arrivals, jumps, wraps,
// timer ticks, stores and lookups is tried. Each operation is one byte, its low 3 bits the kind,
// followed by the bytes it needs (missing bytes read as 0):
//   0..2 received(seq16, keyframe = bit 7)    3 due(rtt = byte ms)        4 time += byte ms
//   5    store(seq16, length = byte * 8)      6 find(seq16)               7 keyframe limiter
// Invariants: the FCI round-trips through NackItems and sequence numbers; the missing list stays
// within its cap and due() names only missing packets; the buffer returns exactly what it stored
// for a sequence number, never an oversized packet; the limiter never sends more than it is asked.
#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <set>
#include <span>
#include <vector>

#include "rtc/sfu/KeyframeRequestLimiter.hpp"
#include "rtc/sfu/NackGenerator.hpp"
#include "rtc/sfu/NackList.hpp"
#include "rtc/sfu/RetransmissionBuffer.hpp"
#include "FuzzCheck.hpp"

using namespace onair::rtc::sfu;
using namespace std::chrono_literals;

namespace {

constexpr size_t kListCap = 64;
constexpr size_t kBufferSlots = 37;  // does not divide 65536: slots must follow extended seqs

class Reader {
 public:
  explicit Reader(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  bool done() const { return at_ >= bytes_.size(); }
  uint8_t byte() { return at_ < bytes_.size() ? bytes_[at_++] : 0; }
  uint16_t seq() { return static_cast<uint16_t>(byte() << 8 | byte()); }

 private:
  std::span<const uint8_t> bytes_;
  size_t at_ = 0;
};

// A packet whose every byte follows from its sequence number and length.
std::vector<uint8_t> packet(uint16_t seq, size_t length) {
  std::vector<uint8_t> bytes(length);
  for (size_t i = 0; i < length; ++i) bytes[i] = static_cast<uint8_t>(seq * 31 + i + (seq >> 8));
  return bytes;
}

void checkFci(std::span<const uint8_t> fci) {
  const auto items = NackList::read(fci);
  if (!items) {
    const size_t items = fci.size() / NackList::kItemBytes;
    check(fci.empty() || fci.size() % NackList::kItemBytes != 0 || items > NackList::kMaxItems);
    return;
  }
  check(items->size() * NackList::kItemBytes == fci.size());
  std::vector<uint8_t> written;
  NackList::write(*items, written);
  check(std::equal(written.begin(), written.end(), fci.begin(), fci.end()));

  const auto seqs = NackList::decode(*items);
  size_t expected = 0;
  for (const NackItem& item : *items) expected += 1 + static_cast<size_t>(std::popcount(item.blp));
  check(seqs.size() == expected);
  const auto again = NackList::decode(NackList::encode(seqs));
  check(std::set<uint16_t>(again.begin(), again.end()) == std::set<uint16_t>(seqs.begin(), seqs.end()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  checkFci(input);

  NackGenerator generator(kListCap, 3);
  RetransmissionBuffer buffer(kBufferSlots, 300ms);
  KeyframeRequestLimiter limiter(100ms);
  auto now = std::chrono::steady_clock::time_point{} + 1h;

  Reader reader(input);
  while (!reader.done()) {
    const uint8_t op = reader.byte();
    switch (op & 7) {
      case 0:
      case 1:
      case 2: {
        const uint16_t seq = reader.seq();
        const auto result = generator.received(seq, (op & 0x80) != 0, now);
        check(!result.recovered || !generator.isMissing(seq));
        check(generator.missingCount() <= kListCap);
        break;
      }
      case 3: {
        const auto rtt = std::chrono::milliseconds(reader.byte());
        const auto next = generator.nextDue(rtt);
        const auto seqs = generator.due(now, rtt);
        check(seqs.size() <= kListCap);
        check(!seqs.empty() ? next && *next <= now : true);
        for (const uint16_t seq : seqs) check(generator.isMissing(seq));
        check(generator.missingCount() <= kListCap);
        break;
      }
      case 4:
        now += std::chrono::milliseconds(reader.byte());
        break;
      case 5: {
        const uint16_t seq = reader.seq();
        const size_t length = size_t{reader.byte()} * 8;  // up to 2040: some are too long
        const auto bytes = packet(seq, length);
        const bool stored = buffer.store(seq, bytes, now);
        check(!stored || (length > 0 && length <= RetransmissionBuffer::kSlotBytes));
        if (stored) {
          const auto found = buffer.find(seq, now);
          check(std::equal(found.begin(), found.end(), bytes.begin(), bytes.end()));
        }
        break;
      }
      case 6: {
        const uint16_t seq = reader.seq();
        const auto found = buffer.find(seq, now);
        check(found.size() <= RetransmissionBuffer::kSlotBytes);
        const auto expected = packet(seq, found.size());
        check(std::equal(found.begin(), found.end(), expected.begin(), expected.end()));
        break;
      }
      case 7: {
        if (op & 0x08) limiter.request(now);
        if (op & 0x10) limiter.keyframeReceived();
        const auto next = limiter.nextDue();
        const bool sent = limiter.due(now);
        check(sent == (next && *next <= now));
        check(!limiter.pending() || limiter.nextDue());
        const auto& counters = limiter.counters();
        check(counters.sent <= counters.requests && counters.coalesced <= counters.requests);
        break;
      }
    }
  }
  return 0;
}
