#include "live/AttachId.hpp"

#include "util/Base64Url.hpp"
#include "util/Random.hpp"

namespace onair::live {

std::string AttachId::make(std::string_view liveId) {
  std::string id;
  id.reserve(3 + util::base64UrlLength(9) + 1 + util::base64UrlLength(liveId.size()));  // one allocation
  util::appendRandomId(id, "at_", 9);
  id += '.';
  util::appendBase64Url(id, liveId);
  return id;
}

std::string AttachId::join(std::string_view key, std::string_view liveId) {
  std::string id;
  id.reserve(key.size() + 1 + util::base64UrlLength(liveId.size()));
  id.append(key);
  id += '.';
  util::appendBase64Url(id, liveId);
  return id;
}

std::optional<std::string> AttachId::liveIdOf(std::string_view attachId) {
  auto dot = attachId.rfind('.');
  if (attachId.size() > 700 || dot == std::string_view::npos || attachId.substr(0, 3) != "at_") return std::nullopt;
  auto liveId = util::base64UrlDecode(attachId.substr(dot + 1));
  if (!liveId || liveId->empty() || liveId->size() > 255 || liveId->find(':') == std::string::npos) return std::nullopt;
  return liveId;
}

}  // namespace onair::live
