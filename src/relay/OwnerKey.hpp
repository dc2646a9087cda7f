#pragma once
// Which requests name an object that one node owns at a time (multi-node): a stage and its
// media room ("st_<x>" and "sr_<x>", stage/StageRoomId) share one key, so a connection's stage
// session and its media live on one node; any other stream room has its own. Requests that name
// none (rooms, channels, live, collab, creating or listing stream rooms) are served where they
// arrive.
//
// Pure: the op name and its args as the client sent them, or an HTTP path; ids that are not
// strings of 1..64 bytes name nothing (the op's or route's own checks refuse them where they arrive).
#include <boost/json/object.hpp>
#include <optional>
#include <string_view>

#include "relay/OwnedObject.hpp"

namespace onair::relay {

struct OwnerKey {
  // Client ops: `stage.*` with `stageId`, `streams.*` with `streamRoomId`.
  static std::optional<OwnedObject> of(std::string_view op, const boost::json::object& args);
  // Server API: /v1/stages/{id}[/…] and /v1/streams/rooms/{id}[/…].
  static std::optional<OwnedObject> ofPath(std::string_view path);
};

}  // namespace onair::relay
