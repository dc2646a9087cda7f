#include "collab/yjs/AwarenessUpdate.hpp"

#include <array>
#include <cctype>
#include <string>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>

#include "collab/yjs/Lib0Reader.hpp"
#include "collab/yjs/Lib0Writer.hpp"

namespace onair::collab::yjs {

namespace {

bool isSurrogateEscape(std::string_view hex) {
  if (hex.size() < 4 || !std::isxdigit(static_cast<unsigned char>(hex[2])) ||
      !std::isxdigit(static_cast<unsigned char>(hex[3]))) {
    return false;
  }
  const char first = static_cast<char>(hex[0] | 0x20);
  const char second = static_cast<char>(hex[1] | 0x20);
  return first == 'd' && second >= '8' && (second <= '9' || (second >= 'a' && second <= 'f'));
}

// JSON.stringify writes a lone surrogate as a \uD800-style escape and JSON.parse takes it, but
// Boost.JSON 1.81 refuses it: for the check, every surrogate escape reads as U+FFFD (a pair too).
// Backslashes pair up with the character after them, so an escaped backslash is passed over whole.
std::string withoutSurrogateEscapes(std::string_view text) {
  std::string out(text);
  for (size_t i = 0; i + 1 < out.size(); ++i) {
    if (out[i] != '\\') continue;
    if (out[i + 1] == 'u' && isSurrogateEscape(std::string_view(out).substr(i + 2, 4))) out.replace(i + 2, 4, "fffd");
    ++i;
  }
  return out;
}

// Whether `text` is one JSON value no deeper than `maxDepth`, and whether that value is null.
bool checkJson(std::string_view text, size_t maxDepth, bool& isNull) {
  if (text.find("\\u") != std::string_view::npos) {
    const std::string checked = withoutSurrogateEscapes(text);
    if (checked != text) return checkJson(checked, maxDepth, isNull);
  }
  std::array<unsigned char, 1024> buffer;
  boost::json::monotonic_resource arena(buffer.data(), buffer.size());
  boost::json::parse_options options;
  options.max_depth = maxDepth;
  boost::system::error_code error;
  const auto value = boost::json::parse(boost::json::string_view(text.data(), text.size()), error, &arena, options);
  if (error) return false;
  isNull = value.is_null();
  return true;
}

}  // namespace

Expected<AwarenessUpdate> AwarenessUpdate::decode(std::span<const uint8_t> bytes, const MessageLimits& limits) {
  if (bytes.size() > limits.maxMessageBytes) return YjsError::TooLarge;
  Lib0Reader reader(bytes);
  uint64_t count = 0;
  if (!reader.readVarUint(count)) return reader.error();
  if (count > limits.maxAwarenessEntries) return YjsError::TooManyEntries;
  // Every entry takes at least three bytes: refuse a count the bytes cannot hold before reserving.
  if (count > reader.remaining() / 3) return YjsError::Truncated;
  AwarenessUpdate update;
  update.entries.reserve(static_cast<size_t>(count));
  for (uint64_t i = 0; i < count; ++i) {
    Entry& entry = update.entries.emplace_back();
    std::string_view state;
    if (!reader.readVarUint(entry.clientId) || !reader.readVarUint(entry.clock) || !reader.readVarString(state)) {
      return reader.error();
    }
    if (state.size() > limits.maxAwarenessStateBytes) return YjsError::TooLarge;
    if (!checkJson(state, limits.maxJsonDepth, entry.removed)) return YjsError::BadJson;
    entry.state.assign(state);
  }
  if (!reader.atEnd()) return YjsError::TrailingBytes;
  return update;
}

std::vector<uint8_t> AwarenessUpdate::encode() const {
  Lib0Writer writer;
  writer.writeVarUint(entries.size());
  for (const Entry& entry : entries) {
    writer.writeVarUint(entry.clientId);
    writer.writeVarUint(entry.clock);
    writer.writeVarString(entry.state);
  }
  return writer.take();
}

}  // namespace onair::collab::yjs
