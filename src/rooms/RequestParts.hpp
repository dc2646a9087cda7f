#pragma once
// Argument pieces shared by the client ops and the HTTP routes of rooms and channels.
#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "api/ArgReader.hpp"
#include "engine/StreamMessage.hpp"
#include "rooms/RoomService.hpp"

namespace onair::rooms {

struct RequestParts {
  // A room or channel name from `field`, checked against the naming rule.
  static std::string name(api::ArgReader& args, const char* field);
  // {type, data?, idempotencyKey?} → a PublishRequest (data serialized once, here).
  static PublishRequest publish(api::ArgReader& args, Kind kind, std::string name, std::string publisher);
  // {limit?, cursor?, direction?} → a HistoryRequest.
  static HistoryRequest history(api::ArgReader& args, Kind kind, std::string name);
  // {limit?, cursor?} → one page of members (limit 1–1000, default 100).
  static MembersRequest members(api::ArgReader& args, std::string room);
  // {limit?, cursor?} → a snapshot page (limit 1–1000 messages, default 20; a cursor goes on).
  static SnapshotRequest snapshot(api::ArgReader& args, std::string room);
  // since: {offset, epoch}
  static std::optional<engine::StreamPosition> since(api::ArgReader& args, const boost::json::object& raw);
};

}  // namespace onair::rooms
