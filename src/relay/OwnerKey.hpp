#pragma once
// Which requests name an object that one node owns at a time (multi-node): a stage and its
// media room ("st_<x>" and "sr_<x>", stage/StageRoomId) share one key, so a connection's stage
// session and its media live on one node; any other stream room has its own. Requests that name
// none (rooms, channels, live, collab, creating or listing stream rooms) are served where they
// arrive.
//
// Pure: the op name and its args as the client sent them; ids that are not strings of 1..64
// bytes name nothing (the op's own checks refuse them where they arrive).
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace onair::relay {

struct OwnerKey {
  static std::optional<std::string> of(std::string_view op, const boost::json::object& args);
};

}  // namespace onair::relay
