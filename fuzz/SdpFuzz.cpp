// fuzz_sdp: session descriptions from the network (RFC 8866, as WebRTC writes them) and the SFU's
// answer to them. Invariants:
//   - parse never crashes and, when it refuses, says why on a line that exists (or line 0);
//   - what parses writes to text that parses to an equal model, and writing that model again
//     gives the same text (the writer is deterministic). The re-parse allows twice the bytes: the
//     writer ends lines in CRLF where the input may have used LF;
//   - the answer builder never crashes on a parsed offer, and the answer it builds writes to text
//     that parses (with room for the transport attributes, candidates and port it adds) to an
//     equal model.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "rtc/sdp/AnswerBuilder.hpp"
#include "rtc/sdp/SdpParser.hpp"
#include "rtc/sdp/SdpWriter.hpp"
#include "FuzzCheck.hpp"

using namespace onair::rtc::sdp;

namespace {

const AnswerParameters& localParameters() {
  static const AnswerParameters params = [] {
    AnswerParameters p;
    p.iceUfrag = "fuzz";
    p.icePwd = "fuzz-password-0123456789";
    p.fingerprint = {"sha-256", "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF"};
    std::string reason;
    p.candidates = {*Candidate::parse("1 1 udp 2130706431 192.0.2.1 40000 typ host", reason),
                    *Candidate::parse("2 1 udp 2130706431 2001:db8::1 40001 typ host", reason)};
    return p;
  }();
  return params;
}

void roundTrip(const SessionDescription& model, const SdpLimits& limits) {
  const std::string text = SdpWriter::write(model);
  SdpError error;
  const auto again = SdpParser::parse(text, error, limits);
  check(again.has_value());
  check(*again == model);
  check(SdpWriter::write(*again) == text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const SdpLimits limits;
  SdpError error;
  const auto offer = SdpParser::parse(text, error, limits);
  if (!offer) {
    check(!error.reason.empty());
    check(error.line <= static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1);
    return 0;
  }
  check(offer->media.size() <= limits.maxMediaSections);

  SdpLimits written = limits;
  written.maxBytes *= 2;
  roundTrip(*offer, written);

  std::string reason;
  const auto answer = AnswerBuilder::build(*offer, localParameters(), reason);
  if (!answer) {
    check(!reason.empty());
    return 0;
  }
  check(answer->media.size() == offer->media.size());
  SdpLimits answered = written;
  answered.maxBytes *= 4;
  answered.maxAttributesPerSection += 16;
  answered.maxLineBytes += 64;  // an m= line gets the SFU's port in place of the offer's "9"
  roundTrip(*answer, answered);
  return 0;
}
