// fuzz_answer_reader: a remote side's answer as rtc::client::AnswerReader reads it (the SFU
// benchmark's and tests' WebRTC client). Invariants:
//   - read never crashes; it either refuses with a reason or returns a transport with non-empty
//     ICE credentials, a UDP endpoint and at least one accepted section;
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "rtc/client/AnswerReader.hpp"
#include "FuzzCheck.hpp"

using onair::rtc::client::AnswerReader;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  const auto answer = AnswerReader::read(text, error);
  if (!answer) {
    check(!error.empty());
    return 0;
  }
  check(error.empty());
  check(!answer->remote.iceUfrag.empty() && !answer->remote.icePassword.empty());
  check(!answer->sections.empty());
  return 0;
}
