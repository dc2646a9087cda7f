// fuzz_broker_envelope: payloads on a Redis broker channel (anything another node, a script or
// a stranger with access to Redis could PUBLISH there).
// Invariants: never crashes or reads past the input; an accepted stored message has an offset
// >= 1 and a non-empty epoch; every accepted envelope encodes back to exactly the input bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/redis/BrokerEnvelope.hpp"
#include "FuzzCheck.hpp"

using namespace onair::engine::redis;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto decoded = BrokerEnvelope::decode(input);
  const auto* envelope = std::get_if<BrokerEnvelope>(&decoded);
  if (envelope == nullptr) {
    check(!std::get<std::string>(decoded).empty());
    return 0;
  }
  if (envelope->kind == BrokerEnvelope::Kind::Stored) {
    check(envelope->message.offset >= 1);
    check(!envelope->epoch.empty());
    check(envelope->message.timestampMs >= 0);
  }
  check(envelope->encode() == input);
  return 0;
}
