#include "engine/redis/RedisPresenceField.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <unordered_map>

namespace onair::engine::redis {

namespace {

// Reads a decimal followed by one space off the front of `text`.
bool takeNumber(std::string_view& text, int64_t& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc() || end == text.data() + text.size() || *end != ' ') return false;
  text.remove_prefix(static_cast<size_t>(end - text.data()) + 1);
  return true;
}

const boost::json::string* stringAt(const boost::json::object& object, std::string_view name) {
  const auto* value = object.if_contains(name);
  return value ? value->if_string() : nullptr;
}

}  // namespace

std::string RedisPresenceField::payloadOf(const PresenceEntry& entry) {
  return boost::json::serialize(boost::json::object{{"u", entry.userId},
                                                    {"n", entry.name},
                                                    {"m", entry.metadataJson},
                                                    {"p", entry.presenceJson},
                                                    {"j", entry.joinedAtMs}});
}

std::optional<RedisPresenceField> RedisPresenceField::parse(std::string_view stored) {
  if (stored.size() > kMaxBytes) return std::nullopt;
  RedisPresenceField field;
  if (!takeNumber(stored, field.joinSeq) || !takeNumber(stored, field.putSeq)) return std::nullopt;
  boost::json::parse_options options;
  options.allow_invalid_utf8 = true;  // payloadOf() writes whatever bytes it was given
  boost::system::error_code ec;
  auto payload = boost::json::parse(stored, ec, {}, options);
  const auto* object = ec ? nullptr : payload.if_object();
  if (!object) return std::nullopt;
  const auto* userId = stringAt(*object, "u");
  const auto* name = stringAt(*object, "n");
  const auto* metadata = stringAt(*object, "m");
  const auto* presence = stringAt(*object, "p");
  const auto* joinedAt = object->if_contains("j");
  if (!userId || !name || !metadata || !presence || !joinedAt || !joinedAt->is_int64()) return std::nullopt;
  field.entry = PresenceEntry{std::string(*userId), std::string(*name), std::string(*metadata), std::string(*presence),
                              joinedAt->get_int64()};
  return field;
}

std::vector<PresenceEntry> RedisPresenceField::merge(std::vector<RedisPresenceField> fields) {
  std::unordered_map<std::string, RedisPresenceField> users;
  for (auto& field : fields) {
    auto [it, added] = users.try_emplace(field.entry.userId, field);
    if (added) continue;
    RedisPresenceField& merged = it->second;
    const int64_t joinSeq = std::min(merged.joinSeq, field.joinSeq);
    const int64_t joinedAtMs = std::min(merged.entry.joinedAtMs, field.entry.joinedAtMs);
    if (field.putSeq > merged.putSeq) merged = std::move(field);
    merged.joinSeq = joinSeq;
    merged.entry.joinedAtMs = joinedAtMs;
  }
  std::vector<RedisPresenceField> ordered;
  ordered.reserve(users.size());
  for (auto& [userId, field] : users) ordered.push_back(std::move(field));
  std::sort(ordered.begin(), ordered.end(), [](const RedisPresenceField& a, const RedisPresenceField& b) {
    return a.joinSeq != b.joinSeq ? a.joinSeq < b.joinSeq : a.entry.userId < b.entry.userId;
  });
  std::vector<PresenceEntry> entries;
  entries.reserve(ordered.size());
  for (auto& field : ordered) entries.push_back(std::move(field.entry));
  return entries;
}

}  // namespace onair::engine::redis
