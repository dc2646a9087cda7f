#include "api/BinaryFrame.hpp"

namespace onair::api {

std::optional<BinaryFrame> BinaryFrame::parse(std::string_view bytes, std::string& error) {
  if (bytes.size() < 4) {
    error = "binary frame shorter than its 4-byte header";
    return std::nullopt;
  }
  if (static_cast<uint8_t>(bytes[0]) != kVersion) {
    error = "binary frame version must be 1";
    return std::nullopt;
  }
  BinaryFrame f;
  f.flags = static_cast<uint8_t>(bytes[1]);
  if (f.flags & ~(kInit | kKey)) {
    error = "binary frame has unknown flags";
    return std::nullopt;
  }
  size_t length = (static_cast<uint8_t>(bytes[2]) << 8) | static_cast<uint8_t>(bytes[3]);
  if (length == 0 || length > kMaxTarget || bytes.size() < 4 + length) {
    error = "binary frame target length is 0, over 255 or past the end";
    return std::nullopt;
  }
  f.target = bytes.substr(4, length);
  f.payload = bytes.substr(4 + length);
  return f;
}

std::string BinaryFrame::encode(uint8_t flags, std::string_view target, std::string_view payload) {
  std::string out;
  out.reserve(4 + target.size() + payload.size());
  out += static_cast<char>(kVersion);
  out += static_cast<char>(flags);
  out += static_cast<char>((target.size() >> 8) & 0xFF);
  out += static_cast<char>(target.size() & 0xFF);
  out.append(target);
  out.append(payload);
  return out;
}

}  // namespace onair::api
