// fuzz_binary_frame: binary WebSocket messages from clients (portal-relay chunks).
// Invariants: parse never reads past the input; what parses re-encodes to the same bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/BinaryFrame.hpp"
#include "FuzzCheck.hpp"

using onair::api::BinaryFrame;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::string error;
  auto frame = BinaryFrame::parse(bytes, error);
  if (!frame) {
    check(!error.empty());
    return 0;
  }
  check(!frame->target.empty() && frame->target.size() <= BinaryFrame::kMaxTarget);
  check((frame->flags & ~(BinaryFrame::kInit | BinaryFrame::kKey)) == 0);
  check(BinaryFrame::encode(frame->flags, frame->target, frame->payload) == bytes);
  return 0;
}
