#include "collab/CollabOps.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <exception>
#include <memory>
#include <optional>

#include "api/ArgReader.hpp"
#include "api/ClientSession.hpp"
#include "api/OpRouter.hpp"
#include "collab/RoomScope.hpp"
#include "collab/RoomTokenIssuer.hpp"
#include "collab/TurnCredentials.hpp"
#include "rooms/RoomName.hpp"
#include "util/Time.hpp"

namespace onair::collab {
namespace {

using api::ApiError;
using api::Call;
using api::ErrorCode;

// What the handlers share; immutable after registration, so any shard may read it.
struct State {
  std::optional<RoomTokenIssuer> issuer;  // nullopt: no collab secret to sign with
  int64_t tokenTtlSeconds = 600;
  std::vector<std::string> turnUrls;
  std::string turnSecret;
  int64_t turnTtlSeconds = 3600;
};

std::shared_ptr<const State> makeState(CollabSettings settings) {
  auto state = std::make_shared<State>();
  if (!settings.tokenSecret.empty()) state->issuer.emplace(std::move(settings.tokenSecret));
  state->tokenTtlSeconds = std::max<int64_t>(1, settings.tokenTtlSeconds);
  state->turnUrls = TurnCredentials::splitUrls(settings.turnUrls);
  state->turnSecret = std::move(settings.turnSecret);
  state->turnTtlSeconds = std::max<int64_t>(1, settings.turnTtlSeconds);
  if (!state->turnUrls.empty() && state->turnSecret.empty()) {
    spdlog::warn("turn.urls is set but turn.secret is empty: collab.turnCredentials stays off");
  }
  return state;
}

void token(const State& state, Call&& call) {
  // Arguments: a valid room name, a known kind, a ttl within the configured maximum.
  api::ArgReader args(call.args());
  std::string room = args.string("room", 1, 255);
  if (!args.error() && !rooms::RoomName::isValid(room)) args.fail(std::string("room must be ") + rooms::RoomName::kRule);
  std::string kind;
  if (args.any("kind").is_null()) args.fail("kind is required (one of: workspace, item, code)");
  else kind = args.choice("kind", {"workspace", "item", "code"}, "");
  int64_t ttl = args.integer("ttl", 1, state.tokenTtlSeconds, state.tokenTtlSeconds);
  if (auto e = args.error()) return call.fail(*e);

  // Grants decide the scope; no collab grant on this room means no token.
  const auto* claims = call.session().claims();
  auto scope = RoomScope::of(claims->grants, room);
  if (!scope) {
    return call.fail({ErrorCode::Permission,
                      "your token does not allow collab on room " + room + " (needs collab:<room>:read-write or :readonly)",
                      std::nullopt});
  }
  if (!state.issuer) return call.fail({ErrorCode::Internal, "no collab secret is configured to sign collab tokens (collab.token_secret)", std::nullopt});

  RoomTokenClaims c{claims->userId, room, kind, std::string(*scope), util::epochSeconds(), 0};
  c.expiresAt = c.issuedAt + ttl;
  std::string jwt;
  try {
    jwt = state.issuer->issue(c);
  } catch (const std::exception& e) {
    spdlog::error("collab.token: {}", e.what());
    return call.fail({ErrorCode::Internal, "could not sign the collab token", std::nullopt});
  }
  call.reply(boost::json::object{
      {"token", std::move(jwt)}, {"expiresAt", util::isoTimeFromSeconds(c.expiresAt)}, {"scope", c.scope}});
}

void turnCredentials(const State& state, Call&& call) {
  if (state.turnUrls.empty()) {
    return call.fail({ErrorCode::NotFound, "TURN credentials are off on this server (turn.urls is not set)", std::nullopt});
  }
  if (state.turnSecret.empty()) {
    return call.fail({ErrorCode::NotFound, "TURN credentials are off on this server (turn.secret is not set)", std::nullopt});
  }
  TurnCredentials c;
  try {
    c = TurnCredentials::make(state.turnUrls, state.turnSecret, call.session().claims()->userId, util::epochSeconds(),
                              state.turnTtlSeconds);
  } catch (const std::exception& e) {
    spdlog::error("collab.turnCredentials: {}", e.what());
    return call.fail({ErrorCode::Internal, "could not compute TURN credentials", std::nullopt});
  }
  boost::json::array urls;
  for (const auto& u : c.urls) urls.emplace_back(u);
  call.reply(boost::json::object{
      {"urls", std::move(urls)}, {"username", std::move(c.username)}, {"credential", std::move(c.credential)}, {"ttl", c.ttl}});
}

}  // namespace

void registerCollabOps(api::OpRouter& router, CollabSettings settings) {
  auto state = makeState(std::move(settings));
  router.add("collab.token", [state](Call&& call) { token(*state, std::move(call)); });
  router.add("collab.turnCredentials", [state](Call&& call) { turnCredentials(*state, std::move(call)); });
}

}  // namespace onair::collab
