#include "net/WsCodec.hpp"

#include <cstring>

namespace onair::net {
namespace {

bool isKnownOpcode(uint8_t op) { return op <= 2 || (op >= 8 && op <= 10); }

// XORs the payload with the 4-byte key, a word at a time where it can.
void unmask(uint8_t* data, size_t size, const uint8_t key[4]) {
  uint64_t key8;
  uint8_t k[8] = {key[0], key[1], key[2], key[3], key[0], key[1], key[2], key[3]};
  std::memcpy(&key8, k, 8);
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t w;
    std::memcpy(&w, data + i, 8);
    w ^= key8;
    std::memcpy(data + i, &w, 8);
  }
  for (; i < size; ++i) data[i] ^= key[i & 3];
}

std::string_view asView(const uint8_t* p, size_t n) { return {reinterpret_cast<const char*>(p), n}; }

}  // namespace

WsEvent WsCodec::fail(uint16_t code) {
  failedWith_ = code;
  WsEvent e;
  e.kind = WsEvent::Kind::Error;
  e.closeCode = code;
  return e;
}

WsEvent WsCodec::decode(std::span<uint8_t> input) {
  if (failedWith_ != 0) return fail(failedWith_);
  if (releaseMessage_) {
    // The last fragmented message was handed out; free its memory unless it was small.
    releaseMessage_ = false;
    if (message_.capacity() > 4096) std::string().swap(message_);
    message_.clear();
  }
  size_t pos = 0;
  for (;;) {
    std::span<uint8_t> avail = input.subspan(pos);
    WsEvent needMore;
    needMore.consumed = pos;
    // Step 1: the fixed two bytes.
    if (avail.size() < 2) return needMore;
    const uint8_t b0 = avail[0], b1 = avail[1];
    const bool fin = b0 & 0x80;
    const uint8_t op = b0 & 0x0F;
    if (b0 & 0x70) return fail(wsclose::ProtocolError);  // no extension negotiated
    if (!isKnownOpcode(op)) return fail(wsclose::ProtocolError);
    if (!(b1 & 0x80)) return fail(wsclose::ProtocolError);  // clients must mask (§5.1)
    // Step 2: the payload length, 7, 16 or 64 bits.
    const uint8_t len7 = b1 & 0x7F;
    size_t lengthBytes = len7 == 126 ? 2 : (len7 == 127 ? 8 : 0);
    if (avail.size() < 2 + lengthBytes) return needMore;
    uint64_t length = len7;
    if (lengthBytes > 0) {
      length = 0;
      for (size_t i = 0; i < lengthBytes; ++i) length = (length << 8) | avail[2 + i];
      if (lengthBytes == 8 && (length >> 63)) return fail(wsclose::ProtocolError);
    }
    // Step 3: limits, checked from the header so an oversize frame is refused before its body.
    const bool control = op & 0x08;
    if (control) {
      if (!fin || length > 125) return fail(wsclose::ProtocolError);
    } else {
      if (op == 0 && !fragmenting_) return fail(wsclose::ProtocolError);  // nothing to continue
      if (op != 0 && fragmenting_) return fail(wsclose::ProtocolError);   // interleaved message
      if (length > limits_.maxFrameBytes) return fail(wsclose::TooBig);
      const uint64_t sofar = fragmenting_ ? message_.size() : 0;
      if (sofar + length > limits_.maxMessageBytes) return fail(wsclose::TooBig);
    }
    // Step 4: wait for the whole frame, then unmask it in place.
    const size_t header = 2 + lengthBytes + 4;
    if (avail.size() < header || avail.size() - header < length) return needMore;
    uint8_t* payload = avail.data() + header;
    unmask(payload, length, avail.data() + header - 4);
    pos += header + length;
    const std::string_view data = asView(payload, length);
    // Step 5: hand out control frames at once, assemble data frames.
    WsEvent e;
    e.consumed = pos;
    switch (static_cast<WsOpcode>(op)) {
      case WsOpcode::Ping:
        e.kind = WsEvent::Kind::Ping, e.payload = data;
        return e;
      case WsOpcode::Pong:
        e.kind = WsEvent::Kind::Pong, e.payload = data;
        return e;
      case WsOpcode::Close: {
        WsEvent c = parseClose(data, pos);
        return c.kind == WsEvent::Kind::Error ? fail(c.closeCode) : c;
      }
      default: {
        bool done = false;
        WsEvent m = onDataFrame(static_cast<WsOpcode>(op), fin, data, pos, done);
        if (m.kind == WsEvent::Kind::Error) return fail(m.closeCode);
        if (done) return m;
      }
    }
  }
}

WsEvent WsCodec::onDataFrame(WsOpcode opcode, bool fin, std::string_view payload, size_t consumed,
                             bool& done) {
  WsEvent e;
  e.consumed = consumed;
  // Common case: an unfragmented message, handed out without a copy.
  if (!fragmenting_ && fin) {
    if (opcode == WsOpcode::Text && !Utf8Validator::isValid(payload)) {
      e.kind = WsEvent::Kind::Error, e.closeCode = wsclose::InvalidPayload;
      return e;
    }
    done = true;
    e.kind = WsEvent::Kind::Message, e.opcode = opcode, e.payload = payload;
    return e;
  }
  if (!fragmenting_) {
    fragmenting_ = true;
    messageOpcode_ = opcode;
    utf8_.reset();
    message_.clear();
  }
  message_.append(payload);
  if (messageOpcode_ == WsOpcode::Text && !utf8_.feed(payload)) {
    e.kind = WsEvent::Kind::Error, e.closeCode = wsclose::InvalidPayload;
    return e;
  }
  if (!fin) return e;  // keep reading fragments
  fragmenting_ = false;
  if (messageOpcode_ == WsOpcode::Text && !utf8_.complete()) {
    e.kind = WsEvent::Kind::Error, e.closeCode = wsclose::InvalidPayload;
    return e;
  }
  done = true;
  releaseMessage_ = true;
  e.kind = WsEvent::Kind::Message, e.opcode = messageOpcode_, e.payload = message_;
  return e;
}

WsEvent WsCodec::parseClose(std::string_view payload, size_t consumed) {
  WsEvent e;
  e.consumed = consumed;
  if (payload.size() == 1) {
    e.kind = WsEvent::Kind::Error, e.closeCode = wsclose::ProtocolError;
    return e;
  }
  e.kind = WsEvent::Kind::Close;
  if (payload.empty()) {
    e.closeCode = wsclose::NoStatus;
    return e;
  }
  uint16_t code = static_cast<uint16_t>((uint8_t(payload[0]) << 8) | uint8_t(payload[1]));
  if (!isValidCloseCode(code)) {
    e.kind = WsEvent::Kind::Error, e.closeCode = wsclose::ProtocolError;
    return e;
  }
  std::string_view reason = payload.substr(2);
  if (!Utf8Validator::isValid(reason)) {
    e.kind = WsEvent::Kind::Error, e.closeCode = wsclose::InvalidPayload;
    return e;
  }
  e.closeCode = code;
  e.payload = reason;
  return e;
}

bool WsCodec::isValidCloseCode(uint16_t code) {
  // §7.4: 1004-1006 and 1015 must not appear on the wire; 1016-2999 are unassigned.
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
         (code >= 3000 && code <= 4999);
}

std::string WsCodec::encodeFrame(WsOpcode opcode, std::string_view payload, bool fin) {
  std::string out;
  appendFrame(out, opcode, payload, fin);
  return out;
}

void WsCodec::appendFrame(std::string& out, WsOpcode opcode, std::string_view payload, bool fin) {
  const size_t n = payload.size();
  out.reserve(out.size() + n + 10);
  out += static_cast<char>((fin ? 0x80 : 0x00) | static_cast<uint8_t>(opcode));
  if (n < 126) {
    out += static_cast<char>(n);
  } else if (n <= 0xFFFF) {
    out += static_cast<char>(126);
    out += static_cast<char>((n >> 8) & 0xFF);
    out += static_cast<char>(n & 0xFF);
  } else {
    out += static_cast<char>(127);
    for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((uint64_t(n) >> shift) & 0xFF);
  }
  out.append(payload);
}

std::string WsCodec::closePayload(uint16_t code, std::string_view reason) {
  std::string payload;
  payload += static_cast<char>(code >> 8);
  payload += static_cast<char>(code & 0xFF);
  payload.append(reason.substr(0, 123));
  return payload;
}

std::string WsCodec::encodeClose(uint16_t code, std::string_view reason) { return encodeFrame(WsOpcode::Close, closePayload(code, reason)); }

}  // namespace onair::net
