#include "streams/OpaqueMeta.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <string>

namespace onair::streams {

std::optional<size_t> OpaqueMeta::decodedSize(std::string_view base64) {
  if (base64.empty()) return 0;
  if (base64.size() % 4 != 0 || base64.size() > INT_MAX) return std::nullopt;
  // EVP_DecodeBlock skips surrounding whitespace; the wire form has none.
  auto notAlphabet = [](char c) { return !(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '='); };
  if (std::any_of(base64.begin(), base64.end(), notAlphabet)) return std::nullopt;
  const size_t padding = base64.ends_with("==") ? 2 : base64.ends_with("=") ? 1 : 0;
  if (base64.substr(0, base64.size() - padding).find('=') != std::string_view::npos) return std::nullopt;
  std::string out(maxDecodedSize(base64), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(base64.data()),
                          static_cast<int>(base64.size()));
  if (n < 0) return std::nullopt;
  return static_cast<size_t>(n) - padding;  // EVP_DecodeBlock counts padding as zero bytes
}

}  // namespace onair::streams
