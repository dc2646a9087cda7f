#include "rooms/MemberCursor.hpp"

#include <charconv>

#include "util/Base64Url.hpp"

namespace onair::rooms {

std::string MemberCursor::encode() const { return util::base64UrlEncode("m" + std::to_string(after)); }

std::optional<MemberCursor> MemberCursor::decode(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  auto raw = util::base64UrlDecode(text);
  if (!raw || raw->size() < 2 || (*raw)[0] != 'm') return std::nullopt;
  MemberCursor c;
  const char* end = raw->data() + raw->size();
  auto [ptr, ec] = std::from_chars(raw->data() + 1, end, c.after);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return c;
}

}  // namespace onair::rooms
