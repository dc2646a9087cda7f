#include "collab/StoredUpdates.hpp"

#include "util/Base64Url.hpp"

namespace onair::collab {

namespace {

void appendString(std::string& json, const std::vector<uint8_t>& update) {
  json += '"';
  util::appendBase64Url(json, std::string_view(reinterpret_cast<const char*>(update.data()), update.size()));
  json += '"';
}

// Reads one JSON string of base64url at `pos` (no escapes: the alphabet needs none).
std::optional<std::vector<uint8_t>> readString(std::string_view json, size_t& pos) {
  if (pos >= json.size() || json[pos] != '"') return std::nullopt;
  const size_t end = json.find('"', pos + 1);
  if (end == std::string_view::npos) return std::nullopt;
  auto bytes = util::base64UrlDecode(json.substr(pos + 1, end - pos - 1));
  if (!bytes) return std::nullopt;
  pos = end + 1;
  return std::vector<uint8_t>(bytes->begin(), bytes->end());
}

}  // namespace

std::string StoredUpdates::encode(std::span<const std::vector<uint8_t>> updates) {
  std::string json;
  if (updates.size() == 1) {
    appendString(json, updates[0]);
    return json;
  }
  json += '[';
  for (size_t i = 0; i < updates.size(); ++i) {
    if (i > 0) json += ',';
    appendString(json, updates[i]);
  }
  json += ']';
  return json;
}

std::optional<std::vector<std::vector<uint8_t>>> StoredUpdates::decode(std::string_view json) {
  std::vector<std::vector<uint8_t>> updates;
  size_t pos = 0;
  if (!json.empty() && json.front() == '"') {
    auto update = readString(json, pos);
    if (!update || pos != json.size()) return std::nullopt;
    updates.push_back(std::move(*update));
    return updates;
  }
  if (json.size() < 2 || json.front() != '[' || json.back() != ']') return std::nullopt;
  pos = 1;
  while (true) {
    if (updates.size() == kMaxUpdates) return std::nullopt;
    auto update = readString(json, pos);
    if (!update) return std::nullopt;
    updates.push_back(std::move(*update));
    if (pos >= json.size()) return std::nullopt;
    if (json[pos] == ']') break;
    if (json[pos] != ',') return std::nullopt;
    ++pos;
  }
  if (pos + 1 != json.size()) return std::nullopt;
  return updates;
}

}  // namespace onair::collab
