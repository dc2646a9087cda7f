#include "relay/OwnerKey.hpp"

#include "stage/StageRoomId.hpp"

namespace onair::relay {
namespace {

constexpr size_t kMaxIdBytes = 64;

std::optional<std::string_view> idArg(const boost::json::object& args, std::string_view name) {
  const auto* v = args.if_contains(name);
  if (!v || !v->is_string() || v->as_string().empty() || v->as_string().size() > kMaxIdBytes) return std::nullopt;
  return std::string_view(v->as_string());
}

bool startsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

std::optional<std::string> OwnerKey::of(std::string_view op, const boost::json::object& args) {
  if (startsWith(op, "stage.")) {
    auto stageId = idArg(args, "stageId");
    if (!stageId) return std::nullopt;
    return "media:" + stage::StageRoomId::roomOf(*stageId);
  }
  if (startsWith(op, "streams.")) {
    auto roomId = idArg(args, "streamRoomId");
    if (!roomId) return std::nullopt;
    return "media:" + std::string(*roomId);
  }
  return std::nullopt;
}

}  // namespace onair::relay
