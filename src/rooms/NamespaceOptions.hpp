#pragma once
// Per-namespace options of rooms and channels (config: rooms.* defaults, [[rooms.namespaces]]).
#include <cstdint>
#include <string>
#include <vector>

namespace onair::rooms {

struct NamespaceOptions {
  std::string pattern;              // glob over the namespace ("tenant_*"); "" = the default
  int64_t historySize = 100;        // messages kept per room or channel (0: no history)
  int64_t historyTtlSeconds = 86400;
  int64_t idempotencyTtlSeconds = 86400;
  bool presence = true;             // track members and presence in rooms
  int64_t maxMembers = 10000;
  int64_t maxMessageBytes = 65536;  // serialized `data` of one message
  int64_t maxMemberBytes = 16384;   // serialized metadata of one member, and its presence, each
  int64_t maxMetadataBytes = 65536;  // serialized room metadata
};

// Picks the options for a name: the first [[rooms.namespaces]] entry whose pattern matches the
// name's namespace, else the defaults.
class NamespacePolicy {
 public:
  NamespacePolicy(NamespaceOptions defaults, std::vector<NamespaceOptions> namespaces)
      : defaults_(std::move(defaults)), namespaces_(std::move(namespaces)) {}
  const NamespaceOptions& optionsFor(std::string_view name) const;

 private:
  NamespaceOptions defaults_;
  std::vector<NamespaceOptions> namespaces_;
};

}  // namespace onair::rooms
