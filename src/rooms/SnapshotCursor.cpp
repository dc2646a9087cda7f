#include "rooms/SnapshotCursor.hpp"

#include <charconv>

#include "util/Base64Url.hpp"

namespace onair::rooms {
namespace {

// Reads an unsigned number up to the next ':' of `text` and moves past that ':'.
template <class Number>
bool field(std::string_view& text, Number& out) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + colon, out);
  if (ec != std::errc() || ptr != text.data() + colon) return false;
  text.remove_prefix(colon + 1);
  return true;
}

}  // namespace

std::string SnapshotCursor::encode() const {
  std::string text("s");
  text.append(membersAfter ? std::to_string(*membersAfter) : "-").append(":");
  text.append(std::to_string(messagesFrom)).append(":").append(std::to_string(messagesLeft)).append(":").append(epoch);
  return util::base64UrlEncode(text);
}

std::optional<SnapshotCursor> SnapshotCursor::decode(std::string_view text) {
  if (text.empty() || text.size() > 160) return std::nullopt;
  auto raw = util::base64UrlDecode(text);
  if (!raw || raw->size() < 2 || (*raw)[0] != 's') return std::nullopt;
  std::string_view rest(*raw);
  rest.remove_prefix(1);
  SnapshotCursor c;
  if (rest.starts_with("-:")) {
    rest.remove_prefix(2);
  } else {
    uint64_t after = 0;
    if (!field(rest, after)) return std::nullopt;
    c.membersAfter = after;
  }
  if (!field(rest, c.messagesFrom) || !field(rest, c.messagesLeft)) return std::nullopt;
  if (rest.empty() || rest.size() > 32) return std::nullopt;
  c.epoch = std::string(rest);
  return c;
}

}  // namespace onair::rooms
