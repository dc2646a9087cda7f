// fuzz_presence_field: presence fields as Redis hands them back (any node, any version could have
// written them), records separated by 0x1e, parsed with RedisPresenceField::parse and merged.
// Invariants: never crashes; a parsed field written again (header + payloadOf) parses to the same
// field; merge() returns one entry per distinct userId, never more entries than fields.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/redis/RedisPresenceField.hpp"
#include "FuzzCheck.hpp"

using namespace onair::engine::redis;

namespace {

bool same(const RedisPresenceField& a, const RedisPresenceField& b) {
  return a.joinSeq == b.joinSeq && a.putSeq == b.putSeq && a.entry.userId == b.entry.userId && a.entry.name == b.entry.name &&
         a.entry.metadataJson == b.entry.metadataJson && a.entry.presenceJson == b.entry.presenceJson &&
         a.entry.joinedAtMs == b.entry.joinedAtMs;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<RedisPresenceField> fields;
  std::set<std::string> users;
  while (true) {
    const size_t end = input.find('\x1e');
    auto parsed = RedisPresenceField::parse(input.substr(0, end));
    if (parsed) {
      const std::string again = std::to_string(parsed->joinSeq) + " " + std::to_string(parsed->putSeq) + " " +
                                RedisPresenceField::payloadOf(parsed->entry);
      auto reparsed = RedisPresenceField::parse(again);
      check(reparsed.has_value() && same(*parsed, *reparsed));
      users.insert(parsed->entry.userId);
      fields.push_back(std::move(*parsed));
    }
    if (end == std::string_view::npos) break;
    input.remove_prefix(end + 1);
  }
  const size_t count = fields.size();
  auto entries = RedisPresenceField::merge(std::move(fields));
  check(entries.size() == users.size() && entries.size() <= count);
  std::set<std::string> listed;
  for (const auto& entry : entries) listed.insert(entry.userId);
  check(listed == users);
  return 0;
}
