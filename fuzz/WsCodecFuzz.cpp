// libFuzzer target for onair::net::WsCodec, the RFC 6455 frame decoder.
//
// Input layout:
//   byte 0..1  maxFrameBytes   = min(65536, (16 << (b0 % 13)) + b1)
//   byte 2..3  maxMessageBytes = min(65536, (16 << (b2 % 13)) + b3)
//   byte 4     chunking: how the rest arrives (all at once, or in pseudo-random small reads)
//   byte 5     mask/fragmenting seed for the re-encode round trip
//   byte 6..   the client's byte stream
//
// The stream is fed the way WsConnection::consume() does it: unconsumed bytes are kept and the
// next read is appended to them. Every event is checked against the codec's contract; any
// violation traps.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "net/Utf8Validator.hpp"
#include "net/WsCodec.hpp"
#include "FuzzCheck.hpp"

using onair::net::Utf8Validator;
using onair::net::WsCodec;
using onair::net::WsEvent;
using onair::net::WsLimits;
using onair::net::WsOpcode;

namespace {

constexpr size_t kHeaderBytes = 6;

size_t limitFrom(uint8_t shift, uint8_t add) {
  size_t v = (size_t{16} << (shift % 13)) + add;
  return v > 65536 ? 65536 : v;
}

// Small deterministic PRNG for read sizes and masks.
struct XorShift {
  uint32_t s;
  uint32_t next() {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    return s;
  }
};

// A client frame: the mask bit set and the payload XORed with `key` (RFC 6455 §5.3).
void appendMaskedFrame(std::vector<uint8_t>& out, uint8_t opcode, bool fin, std::string_view payload,
                       const uint8_t key[4]) {
  const uint64_t n = payload.size();
  out.push_back(static_cast<uint8_t>((fin ? 0x80 : 0x00) | (opcode & 0x0F)));
  if (n < 126) {
    out.push_back(static_cast<uint8_t>(0x80 | n));
  } else if (n <= 0xFFFF) {
    out.push_back(0x80 | 126);
    out.push_back(static_cast<uint8_t>(n >> 8));
    out.push_back(static_cast<uint8_t>(n));
  } else {
    out.push_back(0x80 | 127);
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(n >> shift));
  }
  for (int i = 0; i < 4; ++i) out.push_back(key[i]);
  for (size_t i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(payload[i]) ^ key[i & 3]);
}

bool isText(const WsEvent& e) { return e.kind == WsEvent::Kind::Message && e.opcode == WsOpcode::Text; }

// The contract every event must keep, whatever the input.
void checkEvent(const WsEvent& e, size_t inputSize, const WsLimits& limits) {
  check(e.consumed <= inputSize);
  switch (e.kind) {
    case WsEvent::Kind::NeedMore:
      return;
    case WsEvent::Kind::Message:
      check(e.opcode == WsOpcode::Text || e.opcode == WsOpcode::Binary);
      check(e.payload.size() <= limits.maxMessageBytes);
      if (isText(e)) check(Utf8Validator::isValid(e.payload));
      check(e.consumed >= 6);  // at least one whole masked frame header
      return;
    case WsEvent::Kind::Ping:
    case WsEvent::Kind::Pong:
      check(e.payload.size() <= 125);
      check(e.consumed >= 6);
      return;
    case WsEvent::Kind::Close:
      check(e.closeCode == onair::net::wsclose::NoStatus || WsCodec::isValidCloseCode(e.closeCode));
      if (e.closeCode == onair::net::wsclose::NoStatus) check(e.payload.empty());
      check(e.payload.size() <= 123);
      check(Utf8Validator::isValid(e.payload));
      check(e.consumed >= 6);
      return;
    case WsEvent::Kind::Error:
      check(e.closeCode == 1002 || e.closeCode == 1007 || e.closeCode == 1009);
      return;
  }
  check(false);  // an unknown kind
}

// Re-encodes what was decoded as client frames and expects a fresh codec to give it back.
// Data messages are split into fragments no larger than the frame limit, optionally with a
// ping in between, so reassembly and split UTF-8 sequences are exercised too.
void roundTrip(const WsEvent& e, const WsLimits& limits, XorShift& rng) {
  uint8_t key[4];
  uint32_t k = rng.next();
  for (int i = 0; i < 4; ++i) key[i] = static_cast<uint8_t>(k >> (8 * i));

  std::vector<uint8_t> wire;
  const std::string payload(e.payload);
  bool expectPing = false;
  uint8_t opcode = 0;
  std::string controlPayload;  // the bytes on the wire for a control frame
  switch (e.kind) {
    case WsEvent::Kind::Message: {
      opcode = static_cast<uint8_t>(e.opcode);
      size_t fragment = limits.maxFrameBytes;
      if (rng.next() & 1) fragment = 1 + rng.next() % fragment;
      if (payload.size() <= fragment) {
        appendMaskedFrame(wire, opcode, true, payload, key);
        break;
      }
      expectPing = rng.next() & 1;
      for (size_t off = 0; off < payload.size(); off += fragment) {
        const bool last = off + fragment >= payload.size();
        appendMaskedFrame(wire, off == 0 ? opcode : 0, last, std::string_view(payload).substr(off, fragment), key);
        if (off == 0 && expectPing) appendMaskedFrame(wire, 9, true, "mid", key);
      }
      break;
    }
    case WsEvent::Kind::Ping:
    case WsEvent::Kind::Pong:
      opcode = e.kind == WsEvent::Kind::Ping ? 9 : 10;
      appendMaskedFrame(wire, opcode, true, payload, key);
      break;
    case WsEvent::Kind::Close:
      opcode = 8;
      if (e.closeCode != onair::net::wsclose::NoStatus) {
        controlPayload += static_cast<char>(e.closeCode >> 8);
        controlPayload += static_cast<char>(e.closeCode & 0xFF);
        controlPayload += payload;
      }
      appendMaskedFrame(wire, opcode, true, controlPayload, key);
      break;
    default:
      return;
  }

  WsCodec codec(limits);
  std::span<uint8_t> in(wire);
  size_t pos = 0;
  if (expectPing) {
    WsEvent p = codec.decode(in.subspan(pos));
    checkEvent(p, in.size() - pos, limits);
    check(p.kind == WsEvent::Kind::Ping && p.payload == "mid");
    check(codec.midMessage());
    pos += p.consumed;
  }
  WsEvent r = codec.decode(in.subspan(pos));
  checkEvent(r, in.size() - pos, limits);
  pos += r.consumed;
  check(pos == wire.size());
  check(r.kind == e.kind);
  check(r.payload == payload);
  if (e.kind == WsEvent::Kind::Message) check(r.opcode == e.opcode);
  if (e.kind == WsEvent::Kind::Close) check(r.closeCode == e.closeCode);
  check(!codec.midMessage());
  // Nothing left: the next call must ask for more.
  WsEvent tail = codec.decode(in.subspan(pos));
  check(tail.kind == WsEvent::Kind::NeedMore && tail.consumed == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < kHeaderBytes) return 0;
  WsLimits limits;
  limits.maxFrameBytes = limitFrom(data[0], data[1]);
  limits.maxMessageBytes = limitFrom(data[2], data[3]);
  const uint8_t chunking = data[4];
  XorShift readRng{0x9E3779B9u ^ chunking};
  XorShift maskRng{0x85EBCA6Bu ^ (uint32_t{data[5]} << 8) ^ data[5]};
  const uint8_t* stream = data + kHeaderBytes;
  const size_t streamSize = size - kHeaderBytes;
  // Read sizes: 0 = everything at once, else reads of 1..maxChunk bytes.
  static constexpr size_t kMaxChunks[8] = {0, 1, 2, 3, 7, 16, 127, 1024};
  const size_t maxChunk = kMaxChunks[chunking & 7];

  WsCodec codec(limits);
  std::vector<uint8_t> pending;  // bytes the codec has not consumed yet, as WsConnection keeps them
  size_t offset = 0;
  while (offset < streamSize) {
    size_t n = streamSize - offset;
    if (maxChunk != 0) n = std::min<size_t>(n, 1 + readRng.next() % maxChunk);
    pending.insert(pending.end(), stream + offset, stream + offset + n);
    offset += n;

    std::span<uint8_t> input(pending);
    size_t pos = 0;
    while (pos < input.size()) {
      const size_t before = input.size() - pos;
      WsEvent event = codec.decode(input.subspan(pos));
      checkEvent(event, before, limits);
      if (event.kind == WsEvent::Kind::Error) {
        // Sticky: every later call returns the same code, whatever it is given.
        WsEvent again = codec.decode(input.subspan(pos));
        check(again.kind == WsEvent::Kind::Error && again.closeCode == event.closeCode);
        again = codec.decode({});
        check(again.kind == WsEvent::Kind::Error && again.closeCode == event.closeCode);
        return 0;  // the connection closes; nothing after a protocol error is read
      }
      pos += event.consumed;
      if (event.kind == WsEvent::Kind::NeedMore) break;
      roundTrip(event, limits, maskRng);
    }
    pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(pos));
  }
  return 0;
}
