#include "rtc/sfu/NackList.hpp"

namespace onair::rtc::sfu {

namespace {
// Each item names its PID and the 16 sequence numbers after it.
constexpr uint16_t kBlpBits = 16;
}  // namespace

std::vector<NackItem> NackList::encode(std::span<const uint16_t> seqs) {
  std::vector<NackItem> items;
  for (const uint16_t seq : seqs) {
    // Within the current item: a bit of its BLP (wrapping arithmetic), or its PID again.
    if (!items.empty()) {
      NackItem& current = items.back();
      const auto after = static_cast<uint16_t>(seq - current.pid);
      if (after == 0) continue;
      if (after <= kBlpBits) {
        current.blp = static_cast<uint16_t>(current.blp | (1u << (after - 1)));
        continue;
      }
    }
    items.push_back(NackItem{.pid = seq, .blp = 0});
  }
  return items;
}

std::vector<uint16_t> NackList::decode(std::span<const NackItem> items) {
  std::vector<uint16_t> seqs;
  for (const NackItem& item : items) {
    seqs.push_back(item.pid);
    for (uint16_t bit = 0; bit < kBlpBits; ++bit) {
      if (item.blp & (1u << bit)) seqs.push_back(static_cast<uint16_t>(item.pid + bit + 1));
    }
  }
  return seqs;
}

std::optional<std::vector<NackItem>> NackList::read(std::span<const uint8_t> fci) {
  if (fci.empty() || fci.size() % kItemBytes != 0 || fci.size() / kItemBytes > kMaxItems) return std::nullopt;
  std::vector<NackItem> items;
  items.reserve(fci.size() / kItemBytes);
  for (size_t at = 0; at < fci.size(); at += kItemBytes) {
    items.push_back(NackItem{.pid = static_cast<uint16_t>(fci[at] << 8 | fci[at + 1]),
                             .blp = static_cast<uint16_t>(fci[at + 2] << 8 | fci[at + 3])});
  }
  return items;
}

void NackList::write(std::span<const NackItem> items, std::vector<uint8_t>& out) {
  for (const NackItem& item : items) {
    out.push_back(static_cast<uint8_t>(item.pid >> 8));
    out.push_back(static_cast<uint8_t>(item.pid));
    out.push_back(static_cast<uint8_t>(item.blp >> 8));
    out.push_back(static_cast<uint8_t>(item.blp));
  }
}

}  // namespace onair::rtc::sfu
