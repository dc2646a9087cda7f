// fuzz_dcep: the data channel establishment messages a peer sends (RFC 8832).
// Invariants: parse never reads past the input; a parsed OPEN is written back byte for byte the
// same (the format has one encoding) and its names stay within DcepMessage::kMaxNameBytes; an ACK
// is exactly one byte.
#include <cstddef>
#include <cstdint>
#include <span>
#include <variant>

#include "rtc/sctp/DcepMessage.hpp"
#include "FuzzCheck.hpp"

using namespace onair::rtc::sctp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  const auto parsed = DcepMessage::parse(input);
  if (const auto* open = std::get_if<DcepOpen>(&parsed)) {
    check(open->channel.label.size() <= DcepMessage::kMaxNameBytes);
    check(open->channel.protocol.size() <= DcepMessage::kMaxNameBytes);
    const auto again = DcepMessage::open(open->channel);
    // One encoding, except the reliability parameter of a reliable channel, which is ignored.
    const bool reliable = (input[1] & 0x7f) == 0;
    check(again.size() == size);
    for (size_t i = 0; i < size; ++i) check(again[i] == input[i] || (reliable && i >= 4 && i < 8));
  }
  if (std::holds_alternative<DcepAck>(parsed)) check(size == 1);
  return 0;
}
