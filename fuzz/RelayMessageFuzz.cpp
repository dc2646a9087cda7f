// fuzz_relay_message: payloads on a node's relay topic "relay:<node id>" (anything another node,
// a script or a stranger with access to Redis could PUBLISH there).
// Invariants: decode never crashes or reads past the input and says why it refused; an accepted
// message has ids of 1..kMaxIdBytes bytes without 0x00 and a body of at most kMaxBodyBytes; and
// it encodes back to exactly the input bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "relay/RelayMessage.hpp"
#include "FuzzCheck.hpp"

using onair::relay::RelayMessage;

namespace {

bool validId(const std::string& id) {
  return !id.empty() && id.size() <= RelayMessage::kMaxIdBytes && id.find('\0') == std::string::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string why;
  const auto message = RelayMessage::decode(input, why);
  if (!message) {
    check(!why.empty());
    return 0;
  }
  check(validId(message->fromNode) && validId(message->sessionId));
  check(message->body.size() <= RelayMessage::kMaxBodyBytes);
  check(message->encode() == input);
  return 0;
}
