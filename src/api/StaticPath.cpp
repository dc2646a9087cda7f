#include "api/StaticPath.hpp"

namespace onair::api {
namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool isControl(unsigned char c) { return c < 0x20 || c == 0x7f; }

}  // namespace

std::optional<std::string> StaticPath::map(std::string_view requestPath) {
  // Only origin-form paths: one leading '/', bounded length.
  if (requestPath.empty() || requestPath.front() != '/' || requestPath.size() > kMaxBytes) return std::nullopt;
  std::string_view rest = requestPath.substr(1);
  std::string out;
  size_t segments = 0;
  while (!rest.empty()) {
    const size_t slash = rest.find('/');
    const std::string_view raw = rest.substr(0, slash);
    // An empty segment ("//", a leading "//" making the rest absolute) is refused outright.
    auto segment = decode(raw);
    if (!segment || !isPlainSegment(*segment) || ++segments > kMaxSegments) return std::nullopt;
    if (!out.empty()) out += '/';
    out += *segment;
    if (slash == std::string_view::npos) return out;
    rest = rest.substr(slash + 1);
  }
  // The path ended in '/' (or was "/"): the folder's index page, one more segment.
  if (++segments > kMaxSegments) return std::nullopt;
  if (!out.empty()) out += '/';
  out += "index.html";
  return out;
}

std::optional<std::string> StaticPath::decode(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '%') {
      if (i + 2 >= raw.size()) return std::nullopt;  // a truncated escape
      const int hi = hexValue(raw[i + 1]);
      const int lo = hexValue(raw[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
      // An encoded separator would let one segment hide another.
      if (c == '/') return std::nullopt;
    }
    out += c;
  }
  return out;
}

bool StaticPath::isPlainSegment(std::string_view segment) {
  // No hidden files, no "." or "..": a segment starting with '.' covers all three.
  if (segment.empty() || segment.front() == '.') return false;
  for (const char c : segment) {
    if (c == '\\' || c == ':' || isControl(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace onair::api
