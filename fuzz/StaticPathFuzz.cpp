// fuzz_static_path: request paths for the static-file route, straight from clients.
// Invariants: map never crashes; whatever it returns is a relative path of plain segments (no
// leading '/', no empty, "." or ".." segment, no hidden segment, no backslash or control byte),
// within the documented bounds, and mapping it again as "/<result>" gives the same result.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/StaticPath.hpp"
#include "FuzzCheck.hpp"

using onair::api::StaticPath;

namespace {

void checkPlain(const std::string& out) {
  check(!out.empty() && out.front() != '/' && out.back() != '/');
  check(out.size() <= StaticPath::kMaxBytes + sizeof("/index.html"));
  size_t segments = 0;
  size_t start = 0;
  while (start <= out.size()) {
    size_t slash = out.find('/', start);
    if (slash == std::string::npos) slash = out.size();
    const std::string_view segment(out.data() + start, slash - start);
    check(!segment.empty() && segment.front() != '.');
    for (const char c : segment) check(c != '\\' && c != ':' && static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
    ++segments;
    start = slash + 1;
  }
  check(segments <= StaticPath::kMaxSegments);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view path(reinterpret_cast<const char*>(data), size);
  const auto out = StaticPath::map(path);
  if (!out) return 0;
  checkPlain(*out);
  // A mapped path contains no '%' escapes that still decode; mapping it back must be stable
  // unless it holds a literal '%' (which the second pass reads as an escape).
  if (out->find('%') == std::string::npos && out->size() < StaticPath::kMaxBytes) {
    check(StaticPath::map("/" + *out) == out);
  }
  return 0;
}
