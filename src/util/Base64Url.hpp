#pragma once
// Base64url (RFC 4648 §5) without padding, as JWTs use it.
#include <optional>
#include <string>
#include <string_view>

namespace onair::util {

std::string base64UrlEncode(std::string_view bytes);
// The same, appended to `out`.
void appendBase64Url(std::string& out, std::string_view bytes);

// Returns nullopt on a character outside the alphabet or an impossible length.
// Padding ('=') at the end is tolerated.
std::optional<std::string> base64UrlDecode(std::string_view text);

}  // namespace onair::util
