#include "auth/Grant.hpp"
#include "rooms/NamespaceOptions.hpp"
#include "rooms/RoomName.hpp"

namespace onair::rooms {

const NamespaceOptions& NamespacePolicy::optionsFor(std::string_view name) const {
  auto ns = RoomName::namespaceOf(name);
  for (const auto& o : namespaces_) {
    if (auth::Grant::matches(o.pattern, ns)) return o;
  }
  return defaults_;
}

}  // namespace onair::rooms
