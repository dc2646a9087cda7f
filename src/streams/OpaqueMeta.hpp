#pragma once
// publicMeta / privateMeta travel as standard base64 (RFC 4648 §4, padded) and are stored as
// that text: the server never reads the bytes, it only checks the text and bounds its size.
#include <cstddef>
#include <optional>
#include <string_view>

namespace onair::streams {

struct OpaqueMeta {
  // The number of bytes `base64` stands for; nullopt when it is not padded standard base64.
  // Decodes with OpenSSL; never reads more than `base64.size()` bytes.
  static std::optional<size_t> decodedSize(std::string_view base64);
  // An upper bound of decodedSize() from the length alone, to refuse huge text before decoding.
  static size_t maxDecodedSize(std::string_view base64) { return base64.size() / 4 * 3; }
};

}  // namespace onair::streams
