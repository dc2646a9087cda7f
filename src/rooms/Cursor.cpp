#include "rooms/Cursor.hpp"

#include <charconv>

#include "util/Base64Url.hpp"

namespace onair::rooms {

std::string Cursor::encode() const {
  std::string text(forward ? "f" : "b");
  text.append(std::to_string(offset)).append(":").append(epoch);
  return util::base64UrlEncode(text);
}

std::optional<Cursor> Cursor::decode(std::string_view text) {
  if (text.empty() || text.size() > 128) return std::nullopt;
  auto raw = util::base64UrlDecode(text);
  if (!raw || raw->size() < 3) return std::nullopt;
  Cursor c;
  if ((*raw)[0] == 'f') c.forward = true;
  else if ((*raw)[0] != 'b') return std::nullopt;
  auto colon = raw->find(':');
  if (colon == std::string::npos || colon < 2) return std::nullopt;
  const char* begin = raw->data() + 1;
  const char* end = raw->data() + colon;
  auto [ptr, ec] = std::from_chars(begin, end, c.offset);
  if (ec != std::errc() || ptr != end || c.offset == 0) return std::nullopt;
  c.epoch = raw->substr(colon + 1);
  if (c.epoch.empty() || c.epoch.size() > 32) return std::nullopt;
  return c;
}

}  // namespace onair::rooms
