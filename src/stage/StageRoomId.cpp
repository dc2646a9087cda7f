#include "stage/StageRoomId.hpp"

namespace onair::stage {
namespace {

constexpr std::string_view kStagePrefix = "st_";
constexpr std::string_view kRoomPrefix = "sr_";
constexpr std::string_view kDemoPrefix = "demo_";

}  // namespace

std::string StageRoomId::roomOf(std::string_view stageId) {
  if (stageId.substr(0, kStagePrefix.size()) == kStagePrefix) stageId.remove_prefix(kStagePrefix.size());
  return std::string(kRoomPrefix) + std::string(stageId);
}

std::optional<std::string> StageRoomId::stageOf(std::string_view roomId) {
  if (roomId.substr(0, kRoomPrefix.size()) != kRoomPrefix || roomId.size() == kRoomPrefix.size()) return std::nullopt;
  std::string_view rest = roomId.substr(kRoomPrefix.size());
  if (rest.substr(0, kDemoPrefix.size()) == kDemoPrefix) return rest.size() > kDemoPrefix.size() ? std::optional<std::string>(rest) : std::nullopt;
  return std::string(kStagePrefix) + std::string(rest);
}

}  // namespace onair::stage
