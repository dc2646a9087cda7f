#include "engine/redis/BrokerEnvelope.hpp"

#include <charconv>
#include <limits>

namespace onair::engine::redis {

namespace {

constexpr size_t kMaxLengthDigits = 10;

void appendField(std::string& out, std::string_view field) {
  out.append(std::to_string(field.size())).append(":").append(field);
}

// Decimal digits without a leading zero (the encoder never writes one, so decoding stays the
// inverse of encoding).
bool canonicalDigits(std::string_view text) {
  if (text.empty() || (text.size() > 1 && text[0] == '0')) return false;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

template <class Int>
bool parseNumber(std::string_view text, Int& value) {
  if (!canonicalDigits(text)) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

// Reads one `<length>:<bytes>` field from the front of `rest`.
bool takeField(std::string_view& rest, std::string_view& field) {
  const size_t colon = rest.find(':');
  if (colon == std::string_view::npos || colon > kMaxLengthDigits) return false;
  size_t length = 0;
  if (!parseNumber(rest.substr(0, colon), length)) return false;
  if (length > rest.size() - colon - 1) return false;
  field = rest.substr(colon + 1, length);
  rest.remove_prefix(colon + 1 + length);
  return true;
}

std::variant<BrokerEnvelope, std::string> decodeStored(std::string_view rest) {
  std::string_view offset, epoch, timestamp, publisher, type, data;
  for (auto* field : {&offset, &epoch, &timestamp, &publisher, &type, &data}) {
    if (!takeField(rest, *field)) return std::string("stored message: malformed field");
  }
  if (!rest.empty()) return std::string("stored message: trailing bytes");
  BrokerEnvelope envelope;
  envelope.kind = BrokerEnvelope::Kind::Stored;
  if (!parseNumber(offset, envelope.message.offset) || envelope.message.offset == 0)
    return std::string("stored message: bad offset");
  if (!parseNumber(timestamp, envelope.message.timestampMs)) return std::string("stored message: bad timestamp");
  if (epoch.empty()) return std::string("stored message: empty epoch");
  envelope.epoch = epoch;
  envelope.message.publisher = publisher;
  envelope.message.type = type;
  envelope.message.dataJson = data;
  return envelope;
}

}  // namespace

std::string BrokerEnvelope::encodeFrame(std::string_view payload) {
  std::string out;
  out.reserve(payload.size() + 1);
  out.push_back('F');
  out.append(payload);
  return out;
}

std::string BrokerEnvelope::encodeStored(const StreamMessage& message, std::string_view epoch) {
  std::string out;
  out.reserve(64 + epoch.size() + message.publisher.size() + message.type.size() + message.dataJson.size());
  out.push_back('S');
  appendField(out, std::to_string(message.offset));
  appendField(out, epoch);
  appendField(out, std::to_string(message.timestampMs));
  appendField(out, message.publisher);
  appendField(out, message.type);
  appendField(out, message.dataJson);
  return out;
}

std::string BrokerEnvelope::encode() const {
  return kind == Kind::Frame ? encodeFrame(frame) : encodeStored(message, epoch);
}

std::variant<BrokerEnvelope, std::string> BrokerEnvelope::decode(std::string_view bytes) {
  if (bytes.size() > kMaxBytes) return std::string("envelope longer than the limit");
  if (bytes.empty()) return std::string("empty envelope");
  const char kind = bytes[0];
  bytes.remove_prefix(1);
  if (kind == 'S') return decodeStored(bytes);
  if (kind != 'F') return std::string("unknown envelope kind");
  BrokerEnvelope envelope;
  envelope.frame = bytes;
  return envelope;
}

}  // namespace onair::engine::redis
