#include "collab/yjs/Content.hpp"

#include "collab/yjs/Lib0Reader.hpp"

namespace onair::collab::yjs {

namespace {

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";

// The UTF-8 of `utf8` from UTF-16 offset `offset` on.
std::string utf8FromUtf16Offset(const std::string& utf8, uint64_t offset) {
  uint64_t units = 0;
  size_t i = 0;
  while (i < utf8.size() && units < offset) {
    const auto lead = static_cast<uint8_t>(utf8[i]);
    const size_t bytes = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    const uint64_t width = bytes == 4 ? 2 : 1;
    if (units + width > offset) {
      // The cut falls between the two halves of a surrogate pair: the right half becomes U+FFFD.
      return std::string(kReplacementCharacter) + utf8.substr(i + bytes);
    }
    units += width;
    i += bytes;
  }
  return utf8.substr(i);
}

}  // namespace

uint64_t Content::length() const {
  switch (kind) {
    case ContentKind::Deleted: return deletedLength;
    case ContentKind::Json:
    case ContentKind::Any: return elements.size();
    case ContentKind::String: return stringUnits;
    default: return 1;
  }
}

Content Content::sliceFrom(uint64_t offset) const {
  Content right = *this;
  switch (kind) {
    case ContentKind::Deleted: right.deletedLength = deletedLength - offset; break;
    case ContentKind::Json:
    case ContentKind::Any:
      right.elements.assign(elements.begin() + static_cast<std::ptrdiff_t>(offset), elements.end());
      break;
    case ContentKind::String:
      right.text = utf8FromUtf16Offset(text, offset);
      right.stringUnits = stringUnits - offset;
      break;
    default: break;
  }
  return right;
}

}  // namespace onair::collab::yjs
