// fuzz_rtp: RTP packets from the network (RFC 3550, RFC 8285) and what the SFU does with them.
// Invariants:
//   - parse never reads past the input and reports why it refused; header + payload + padding is
//     the whole packet, and every extension found lies inside the header;
//   - the in-place rewrites (ssrc, seq, timestamp, payload type, marker) change only their own
//     fields: the packet parses again to the same sizes, extensions and payload;
//   - an extension id remap either refuses and changes nothing, or keeps the packet parseable with
//     the same payload, and every element it kept is found under its new id;
//   - KeyframeDetector answers for every codec without reading past the payload;
//   - RTX wrap then unwrap gives back the original packet (without its padding), and unwrap of the
//     raw input never crashes;
//   - SequenceNumberUnwrapper keeps its highest value monotonic and every value within 2^15 of
//     it; SequenceNumberRewriter keeps output steps equal to input steps within a source.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "rtc/rtp/KeyframeDetector.hpp"
#include "rtc/rtp/RtpPacket.hpp"
#include "rtc/rtp/RtxPacket.hpp"
#include "rtc/rtp/SequenceNumberRewriter.hpp"
#include "rtc/rtp/SequenceNumberUnwrapper.hpp"
#include "FuzzCheck.hpp"

using namespace onair::rtc::rtp;

namespace {

bool inside(std::span<const uint8_t> part, std::span<const uint8_t> whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

bool samePayload(const RtpPacket& a, const RtpPacket& b) {
  return std::ranges::equal(a.payload(), b.payload());
}

void checkExtensions(const RtpPacket& p) {
  const auto header = p.bytes().first(p.headerBytes());
  for (unsigned id = 0; id < 256; ++id) {
    const auto found = p.extension(uint8_t(id));
    if (found) check(id != 0 && inside(*found, header));
  }
}

void checkRewrites(std::vector<uint8_t>& bytes, const RtpPacket& original) {
  auto p = RtpPacket::parse(bytes);
  check(p.has_value());
  const size_t header = p->headerBytes(), padding = p->paddingBytes();
  p->setSsrc(~original.ssrc());
  p->setSequenceNumber(uint16_t(original.sequenceNumber() + 1));
  p->setTimestamp(original.timestamp() + 3000);
  p->setPayloadType(uint8_t(original.payloadType() ^ 0x55));
  p->setMarker(!original.marker());
  const auto again = RtpPacket::parse(bytes);
  check(again && again->headerBytes() == header && again->paddingBytes() == padding);
  check(again->ssrc() == ~original.ssrc() && again->sequenceNumber() == uint16_t(original.sequenceNumber() + 1));
  check(again->timestamp() == original.timestamp() + 3000);
  check(again->payloadType() == (original.payloadType() ^ 0x55) && again->marker() != original.marker());
  check(again->csrcCount() == original.csrcCount() && samePayload(*again, original));
  for (unsigned id = 1; id < 256; ++id) check(again->extension(uint8_t(id)).has_value() == original.extension(uint8_t(id)).has_value());
}

void checkRemap(std::vector<uint8_t> bytes, const RtpPacket& original, uint8_t salt) {
  // A map drawn from the input: some ids moved, some dropped.
  ExtensionIdMap map;
  for (unsigned id = 1; id < 256; ++id) map.set(uint8_t(id), uint8_t((id * 7 + salt) % (salt % 2 ? 15 : 256)));
  const auto before = bytes;
  auto p = RtpPacket::parse(bytes);
  check(p.has_value());
  if (!p->remapExtensionIds(map)) {
    check(bytes == before);
    return;
  }
  const auto again = RtpPacket::parse(bytes);
  check(again && again->headerBytes() == original.headerBytes() && samePayload(*again, original));
  for (unsigned id = 1; id < 256; ++id) {
    const uint8_t to = map.lookup(uint8_t(id));
    if (to != 0 && original.extension(uint8_t(id))) check(again->extension(to).has_value());
  }
}

void checkRtx(const RtpPacket& original) {
  std::array<uint8_t, RtpPacket::kMaxBytes> out{};
  const size_t size = RtxPacket::wrap(original, {0x52545821, 97}, 4242, out);
  const size_t expected = original.headerBytes() + RtxPacket::kOsnBytes + original.payload().size();
  if (expected > RtpPacket::kMaxBytes) {
    check(size == 0);
    return;
  }
  check(size == expected);
  const auto restored = RtxPacket::unwrap(std::span(out).first(size), {original.ssrc(), original.payloadType()});
  check(restored.has_value());
  check(restored->sequenceNumber() == original.sequenceNumber() && restored->ssrc() == original.ssrc());
  check(restored->payloadType() == original.payloadType() && restored->timestamp() == original.timestamp());
  check(restored->marker() == original.marker() && restored->paddingBytes() == 0);
  check(samePayload(*restored, original));
  check(std::ranges::equal(restored->bytes().subspan(12, original.headerBytes() - 12),
                           original.bytes().subspan(12, original.headerBytes() - 12)));
}

void checkSequenceNumbers(std::span<const uint8_t> data) {
  SequenceNumberUnwrapper unwrapper;
  SequenceNumberRewriter rewriter(90000);
  int64_t highest = INT64_MIN;
  bool havePrevious = false;
  uint16_t previousIn = 0, previousOut = 0;
  int64_t now = 0;
  for (size_t i = 0; i + 2 <= data.size() && i < 512; i += 2) {
    const auto seq = uint16_t((data[i] << 8) | data[i + 1]);
    const int64_t value = unwrapper.unwrap(seq);
    check(uint16_t(value) == seq);
    check(highest == INT64_MIN || unwrapper.highest() >= highest);
    highest = unwrapper.highest();
    check(highest - value >= 0 && highest - value <= 0x8000);
    // A pair starting 0xFF switches source: the step from the previous packet no longer holds.
    if (data[i] == 0xFF) {
      rewriter.switchSource();
      havePrevious = false;
    }
    const auto out = rewriter.rewrite(seq, uint32_t(seq) * 3000, now += data[i + 1]);
    if (!out) continue;
    if (havePrevious) check(uint16_t(out->seq - previousOut) == uint16_t(seq - previousIn));
    havePrevious = true;
    previousIn = seq;
    previousOut = out->seq;
  }
}

// Unwrapping the raw input as RTX succeeds exactly when it is RTP with room for the OSN.
void checkRawUnwrap(const std::vector<uint8_t>& input) {
  std::vector<uint8_t> raw = input;
  const auto restored = RtxPacket::unwrap(raw, {1, 96});
  std::vector<uint8_t> copy = input;
  const auto rtx = RtpPacket::parse(copy);
  check(restored.has_value() == (rtx && rtx->payload().size() >= RtxPacket::kOsnBytes));
  if (!restored) return;
  const auto osnAndPayload = rtx->payload();
  check(restored->sequenceNumber() == ((osnAndPayload[0] << 8) | osnAndPayload[1]));
  check(restored->ssrc() == 1 && restored->payloadType() == 96 && restored->paddingBytes() == 0);
  check(std::ranges::equal(restored->payload(), osnAndPayload.subspan(RtxPacket::kOsnBytes)));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> bytes(data, data + size);
  checkSequenceNumbers({data, size});
  checkRawUnwrap(bytes);

  RtpPacket::ParseError error = RtpPacket::ParseError::None;
  const auto packet = RtpPacket::parse(bytes, error);
  if (!packet) {
    check(error != RtpPacket::ParseError::None);
    return 0;
  }
  check(error == RtpPacket::ParseError::None);
  check(size >= RtpPacket::kHeaderBytes && size <= RtpPacket::kMaxBytes);
  check(packet->headerBytes() + packet->payload().size() + packet->paddingBytes() == size);
  check(inside(packet->payload(), packet->bytes()));
  checkExtensions(*packet);
  for (auto codec : {VideoCodec::Vp8, VideoCodec::Vp9, VideoCodec::H264}) {
    (void)KeyframeDetector::isKeyframe(codec, packet->payload());
  }
  // A pristine copy for comparisons: the checks below write into `bytes`.
  std::vector<uint8_t> original = bytes;
  const auto view = RtpPacket::parse(original);
  checkRtx(*view);
  checkRemap(bytes, *view, size > 0 ? data[size - 1] : 0);
  checkRewrites(bytes, *view);
  return 0;
}
