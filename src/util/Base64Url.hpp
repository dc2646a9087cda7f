#pragma once
// Base64url (RFC 4648 §5) without padding, as JWTs use it.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace onair::util {

// Characters the encoding of `bytes` bytes takes.
constexpr size_t base64UrlLength(size_t bytes) { return (bytes * 4 + 2) / 3; }

std::string base64UrlEncode(std::string_view bytes);
// The same, appended to `out`.
void appendBase64Url(std::string& out, std::string_view bytes);

// Returns nullopt on a character outside the alphabet or an impossible length.
// Padding ('=') at the end is tolerated.
std::optional<std::string> base64UrlDecode(std::string_view text);

}  // namespace onair::util
