#pragma once
// Maps the path of an HTTP request for a static file to a path relative to the web root, or
// refuses it. A parser of client input: pure, bounded, fuzzed (fuzz/StaticPathFuzz.cpp).
//
// Contract: what map() returns is a relative path made only of plain segments joined by '/':
// never absolute, never empty, no "." or ".." segment, no empty segment, no segment that starts
// with '.', no backslash, NUL or other control byte, at most kMaxSegments segments (an
// added index.html counts) from a request path of at most kMaxBytes bytes. Percent-escapes are decoded once; an escape that decodes to '/', '\\' or a
// control byte is refused, so an encoded separator can never become a real one. A path ending
// in '/' (and "/" itself) names the folder's index.html. Whether the file exists, and whether
// it resolves inside the root once symlinks are followed, is StaticFiles' check.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace onair::api {

class StaticPath {
 public:
  static constexpr size_t kMaxBytes = 1024;
  static constexpr size_t kMaxSegments = 16;

  static std::optional<std::string> map(std::string_view requestPath);

 private:
  static std::optional<std::string> decode(std::string_view raw);
  static bool isPlainSegment(std::string_view segment);
};

}  // namespace onair::api
