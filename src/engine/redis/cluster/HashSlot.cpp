#include "engine/redis/cluster/HashSlot.hpp"

#include <boost/crc.hpp>

namespace onair::engine::redis::cluster {

std::string_view HashSlot::hashedPart(std::string_view key) {
  const size_t open = key.find('{');
  if (open == std::string_view::npos) return key;
  const size_t close = key.find('}', open + 1);
  if (close == std::string_view::npos || close == open + 1) return key;
  return key.substr(open + 1, close - open - 1);
}

uint16_t HashSlot::of(std::string_view key) {
  // CRC16/XMODEM: width 16, polynomial 0x1021, initial 0, no final XOR, no reflection.
  boost::crc_optimal<16, 0x1021, 0, 0, false, false> crc;
  const std::string_view part = hashedPart(key);
  crc.process_bytes(part.data(), part.size());
  return static_cast<uint16_t>(crc.checksum() % kSlots);
}

}  // namespace onair::engine::redis::cluster
