#include "stage/StageOps.hpp"

#include <boost/json.hpp>

#include "api/ArgReader.hpp"
#include "api/ClientSession.hpp"
#include "api/OpRouter.hpp"
#include "api/Reply.hpp"
#include "stage/StageService.hpp"

namespace onair::stage {
namespace {

using api::ApiError;
using api::Call;
using api::ErrorCode;
using api::replyTo;

// The stage id and the caller's role on it; fails the call when the token has no stage grant.
std::optional<std::pair<std::string, Actor>> actorOf(Call& call, api::ArgReader& args) {
  std::string stageId = args.string("stageId", 1, 64);
  if (args.error()) {
    call.fail(*args.error());
    return std::nullopt;
  }
  auto& session = call.session();
  const auto* claims = session.claims();
  const auto& grants = claims->grants;
  Actor a;
  a.host = grants.allows("stage", stageId, "host");
  if (!a.host && !grants.allows("stage", stageId, "viewer")) {
    call.fail({ErrorCode::Permission, "your token is not for stage " + stageId, std::nullopt});
    return std::nullopt;
  }
  a.userId = claims->userId;
  a.name = claims->name;
  a.canPublish = grants.allows("stage", stageId, "publish");
  a.canSubscribe = grants.allows("stage", stageId, "subscribe");
  if (auto it = claims->attributes.find("participantId"); it != claims->attributes.end()) a.participantId = it->second;
  boost::json::object attrs;
  for (const auto& [k, v] : claims->attributes) {
    if (k != "participantId") attrs[k] = v;
  }
  a.attributes = std::move(attrs);
  a.tokenExpiresAtMs = claims->expiresAt * 1000;
  a.shard = session.loop().index();
  a.session = session.shared_from_this();
  a.sessionId = session.sessionId();
  return std::make_pair(stageId, std::move(a));
}

std::optional<std::vector<std::string>> userIds(Call& call, const boost::json::object& args) {
  auto it = args.find("userIds");
  if (it == args.end() || !it->value().is_array() || it->value().as_array().empty() || it->value().as_array().size() > 1000) {
    call.fail(ApiError::invalidArgument("userIds must be a non-empty array of user ids"));
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& v : it->value().as_array()) {
    if (!v.is_string() || v.as_string().empty() || v.as_string().size() > 255) {
      call.fail(ApiError::invalidArgument("userIds entries must be user ids (strings)"));
      return std::nullopt;
    }
    out.emplace_back(v.as_string());
  }
  return out;
}

}  // namespace

void registerStageOps(api::OpRouter& router, StageService& service) {
  router.add("stage.open", [&service](Call&& call) {
    api::ArgReader args(call.args());
    auto actor = actorOf(call, args);
    if (!actor) return;
    service.open(actor->first, std::move(actor->second), replyTo(std::move(call)));
  });
  const std::pair<const char*, Transition> transitions[] = {
      {"stage.requestAccess", Transition::RequestAccess}, {"stage.cancelRequestAccess", Transition::CancelRequest},
      {"stage.join", Transition::Join}, {"stage.leave", Transition::Leave}};
  for (const auto& [op, what] : transitions) {
    router.add(op, [&service, what = what](Call&& call) {
      api::ArgReader args(call.args());
      auto actor = actorOf(call, args);
      if (!actor) return;
      service.transition(actor->first, std::move(actor->second), what, replyTo(std::move(call)));
    });
  }
  const std::pair<const char*, HostAction> hostActions[] = {
      {"stage.grantAccess", HostAction::Grant}, {"stage.denyAccess", HostAction::Deny}, {"stage.kick", HostAction::Kick}};
  for (const auto& [op, what] : hostActions) {
    router.add(op, [&service, what = what](Call&& call) {
      api::ArgReader args(call.args());
      auto actor = actorOf(call, args);
      if (!actor) return;
      auto ids = userIds(call, call.args());
      if (!ids) return;
      service.hostAction(actor->first, std::move(actor->second), what, std::move(*ids), replyTo(std::move(call)));
    });
  }
  router.add("stage.participants", [&service](Call&& call) {
    api::ArgReader args(call.args());
    auto actor = actorOf(call, args);
    if (!actor) return;
    service.participantsOf(actor->first, replyTo(std::move(call)));
  });
  router.add("stage.setSubscribeType", [&service](Call&& call) {
    api::ArgReader args(call.args());
    auto actor = actorOf(call, args);
    if (!actor) return;
    std::string participantId = args.string("participantId", 1, 64);
    std::string type = args.choice("type", {"NONE", "AUDIO_ONLY", "AUDIO_VIDEO"}, "");
    if (!args.error() && type.empty()) args.fail("type is required: NONE, AUDIO_ONLY or AUDIO_VIDEO");
    if (args.error()) return call.fail(*args.error());
    service.setSubscribeType(actor->first, std::move(actor->second), participantId, type, replyTo(std::move(call)));
  });
}

}  // namespace onair::stage
