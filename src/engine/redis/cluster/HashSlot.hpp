#pragma once
// Redis Cluster key slots (Redis Cluster specification, "Keys distribution model"):
//
//   HASH_SLOT = CRC16(key) mod 16384        CRC16: XMODEM (poly 0x1021, init 0, no reflection)
//
// with hash tags: if the key holds a `{`, and a `}` follows that first `{`, and at least one byte
// lies between them, only those bytes are hashed. So "{user1000}.following" and
// "{user1000}.followers" share a slot, while "foo{}{bar}" hashes whole and "foo{{bar}}zap" hashes
// "{bar". Keys are binary: any byte may appear.
//
// Contract: pure, never throws; of() is in [0, kSlots).
#include <cstdint>
#include <string_view>

namespace onair::engine::redis::cluster {

class HashSlot {
 public:
  static constexpr uint16_t kSlots = 16384;

  // The bytes of `key` that are hashed: the hash tag when there is a non-empty one, else the key.
  static std::string_view hashedPart(std::string_view key);
  static uint16_t of(std::string_view key);
};

}  // namespace onair::engine::redis::cluster
