// fuzz_relay_packet: portal-relay messages from other nodes (Broker topic "lc:r:<liveId>").
// Invariants: parsing never reads past the input; a catch-up that parses re-encodes to the same
// bytes, and each of its frames is a chunk.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "live/RelayPacket.hpp"
#include "FuzzCheck.hpp"

using onair::live::RelayPacket;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)RelayPacket::chunkFlags(bytes);
  auto catchUp = RelayPacket::parseCatchUp(bytes);
  if (!catchUp) return 0;
  check(RelayPacket::isCatchUp(bytes));
  check(catchUp->node.size() <= RelayPacket::kMaxNode);
  for (auto frame : catchUp->frames) check(RelayPacket::chunkFlags(frame).has_value());
  check(RelayPacket::encodeCatchUp(catchUp->node, catchUp->frames) == bytes);
  return 0;
}
