#pragma once
// A stage's media room id (its record's `streamRoomId`) and back: "st_<x>" ↔ "sr_<x>"; stages
// with another prefix (the demo pages' "demo_<x>") ↔ "sr_<their id>". Pure, on ids only: a
// room id that maps to a stage id still names a stage only if that stage's record says so.
#include <optional>
#include <string>
#include <string_view>

namespace onair::stage {

struct StageRoomId {
  static std::string roomOf(std::string_view stageId);
  // The stage id `roomId` would belong to; nullopt when it has no stage room's shape.
  static std::optional<std::string> stageOf(std::string_view roomId);
};

}  // namespace onair::stage
