#include "relay/RelayMessage.hpp"

namespace onair::relay {
namespace {

constexpr char kMagic = 'R';

bool knownKind(char c) {
  switch (c) {
    case 'O': case 'Q': case 'T': case 'C': case 'F': case 'X': case 'H': case 'h': case 'A': case 'M': case 'V': return true;
    default: return false;
  }
}

// Reads an id up to its 0x00 terminator from `rest`, advancing it; nullopt when it is missing,
// empty or too long.
std::optional<std::string_view> takeId(std::string_view& rest) {
  const size_t end = rest.find('\0');
  if (end == std::string_view::npos || end == 0 || end > RelayMessage::kMaxIdBytes) return std::nullopt;
  std::string_view id = rest.substr(0, end);
  rest.remove_prefix(end + 1);
  return id;
}

}  // namespace

std::string RelayMessage::encode() const {
  std::string out;
  out.reserve(6 + fromNode.size() + sessionId.size() + body.size());
  out += kMagic;
  out += static_cast<char>(kind);
  out += fromNode;
  out += '\0';
  out += sessionId;
  out += '\0';
  out += static_cast<char>(code >> 8);
  out += static_cast<char>(code & 0xff);
  out += body;
  return out;
}

std::optional<RelayMessage> RelayMessage::decode(std::string_view bytes, std::string& why) {
  if (bytes.size() < 2 || bytes[0] != kMagic || !knownKind(bytes[1])) {
    why = "not a relay message";
    return std::nullopt;
  }
  RelayMessage m;
  m.kind = static_cast<Kind>(bytes[1]);
  std::string_view rest = bytes.substr(2);
  auto from = takeId(rest);
  auto session = from ? takeId(rest) : std::nullopt;
  if (!session) {
    why = "a relay message needs a node id and a session id (1-128 bytes each)";
    return std::nullopt;
  }
  if (rest.size() < 2) {
    why = "a relay message ends before its code";
    return std::nullopt;
  }
  if (rest.size() - 2 > kMaxBodyBytes) {
    why = "a relay message's body is too large";
    return std::nullopt;
  }
  m.fromNode = std::string(*from);
  m.sessionId = std::string(*session);
  m.code = static_cast<uint16_t>((static_cast<uint8_t>(rest[0]) << 8) | static_cast<uint8_t>(rest[1]));
  m.body = std::string(rest.substr(2));
  return m;
}

}  // namespace onair::relay
