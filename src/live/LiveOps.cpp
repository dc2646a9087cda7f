#include "live/LiveOps.hpp"

#include <boost/json.hpp>
#include <memory>
#include <set>

#include "api/ArgReader.hpp"
#include "api/Reply.hpp"
#include "api/BinaryFrame.hpp"
#include "api/Envelope.hpp"
#include "api/ClientSession.hpp"
#include "api/OpRouter.hpp"
#include "live/LiveArgs.hpp"
#include "live/LiveService.hpp"
#include "net/WsConnection.hpp"

namespace onair::live {
namespace {

using api::ApiError;
using api::Call;
using api::ErrorCode;

using api::replyTo;

bool allowed(Call& call, const std::string& liveId, const char* action) {
  if (call.session().claims()->grants.allows("live", liveId, action)) return true;
  call.fail({ErrorCode::Permission, std::string("your token does not allow ") + action + " on " + liveId, std::nullopt});
  return false;
}

// Subscribes a producer's connection to its broadcast's viewer counts, once per session. The
// owner counts the interest first; the hub subscription happens back on this shard only if the
// connection is still open then, so a producer that vanishes meanwhile leaves no dangling sink.
void watchViewers(hub::ShardPool& pool, Call& call, const std::string& liveId) {
  auto& session = call.session();
  // Per loop thread: which (session, liveId) pairs already watch, so refreshing publishes (every
  // ~25 s) do not stack subscriptions or close hooks.
  static thread_local std::set<std::pair<const void*, std::string>> watching;
  if (!watching.emplace(&session, liveId).second) return;
  const size_t shard = session.loop().index();
  const std::string topic = "lp:" + liveId;
  const size_t owner = pool.ownerOf(topic);
  auto subscribed = std::make_shared<net::FrameSink*>(nullptr);
  std::weak_ptr<net::WsConnection> weak = session.connection();
  pool.post(owner, [&pool, owner, shard, topic, weak, subscribed] {
    pool.addInterest(topic, shard);
    pool.post(shard, [&pool, owner, shard, topic, weak, subscribed] {
      auto connection = weak.lock();
      if (!connection || !connection->open()) {
        return pool.post(owner, [&pool, topic, shard] { pool.removeInterest(topic, shard); });
      }
      pool.hub(shard).subscribe(topic, connection.get());
      *subscribed = connection.get();
    });
  });
  const void* key = &session;
  session.onClosed([&pool, owner, shard, topic, key, liveId, subscribed] {
    watching.erase({key, liveId});
    if (!*subscribed) return;  // not subscribed yet: the pending task sees the closed connection
    pool.hub(shard).unsubscribe(topic, *subscribed);
    pool.post(owner, [&pool, topic, shard] { pool.removeInterest(topic, shard); });
  });
}

}  // namespace

void registerLiveOps(api::OpRouter& router, LiveService& service, hub::ShardPool& pool) {
  router.add("live.publish", [&service, &pool](Call&& call) {
    // The liveId's shape and kind, then the grant, then the rest: a caller learns nothing about
    // the transports of a broadcast it may not publish.
    if (const auto* id = call.args().if_contains("liveId"); id && id->is_string()) {
      std::string liveId(id->as_string());
      if (auto e = service.checkLiveId(liveId)) return call.fail(*e);
      if (!allowed(call, liveId, "publish")) return;
    }
    auto parsed = LiveArgs::publish(service, call.args());
    if (auto* e = std::get_if<ApiError>(&parsed)) return call.fail(*e);
    auto& request = std::get<PublishRequest>(parsed);
    if (!allowed(call, request.liveId, "publish")) return;
    request.userId = call.session().claims()->userId;  // the owner, if the entry is new
    request.shard = call.session().loop().index();
    request.session = call.session().shared_from_this();
    watchViewers(pool, call, request.liveId);
    service.publish(std::move(request), replyTo(std::move(call)));
  });
  router.add("live.unpublish", [&service](Call&& call) {
    api::ArgReader args(call.args());
    std::string liveId = args.string("liveId", 1, 255);
    if (args.error()) return call.fail(*args.error());
    if (auto e = service.checkLiveId(liveId)) return call.fail(*e);
    if (!allowed(call, liveId, "publish")) return;
    std::string userId = call.session().claims()->userId;  // before the call moves into its reply
    service.unpublish(liveId, std::move(userId), replyTo(std::move(call)));
  });
  router.add("live.attach", [&service](Call&& call) {
    api::ArgReader args(call.args());
    AttachRequest request;
    request.liveId = args.string("liveId", 1, 255);
    const auto* modalities = args.optionalObject("modalities");
    if (args.error()) return call.fail(*args.error());
    if (auto e = service.checkLiveId(request.liveId)) return call.fail(*e);
    if (!allowed(call, request.liveId, "attach")) return;
    auto prefs = LiveArgs::preferences(call.args());
    if (auto* e = std::get_if<ApiError>(&prefs)) return call.fail(*e);
    if (modalities) {
      for (const char* k : {"audioIn", "audioOut"}) {
        const auto* v = modalities->if_contains(k);
        if (v && !v->is_bool()) return call.fail(ApiError::invalidArgument(std::string("modalities.") + k + " must be true or false"));
      }
      request.modalities = *modalities;
    }
    request.preferences = std::get<std::vector<std::string>>(prefs);
    const auto* claims = call.session().claims();
    request.userId = claims->userId;
    request.scope = claims->scope;
    request.shard = call.session().loop().index();
    request.session = call.session().shared_from_this();
    service.attach(std::move(request), replyTo(std::move(call)));
  });
  for (const char* op : {"live.release", "live.heartbeat"}) {
    const bool isRelease = std::string_view(op) == "live.release";
    router.add(op, [&service, isRelease](Call&& call) {
      api::ArgReader args(call.args());
      std::string attachId = args.string("attachId", 1, 700);
      if (args.error()) return call.fail(*args.error());
      std::string userId = call.session().claims()->userId;
      std::optional<std::string> scope = call.session().claims()->scope;
      if (isRelease) return service.release(std::move(attachId), std::move(userId), std::move(scope), replyTo(std::move(call)));
      service.heartbeat(std::move(attachId), std::move(userId), std::move(scope), replyTo(std::move(call)));
    });
  }
  // Portal-relay chunks: binary frames whose target is the liveId.
  router.setBinaryHandler([&service](api::ClientSession& session, const api::BinaryFrame& frame) {
    std::string liveId(frame.target);
    auto fail = [&](const ApiError& e) { session.sendText(api::Envelope::error(nullptr, e)); };
    if (auto e = service.checkLiveId(liveId)) return fail(*e);
    if (!session.claims()->grants.allows("live", liveId, "publish")) {
      return fail({ErrorCode::Permission, "your token does not allow publish on " + liveId, std::nullopt});
    }
    service.relay(liveId, frame.flags, std::string(frame.payload), session.claims()->userId, session.loop().index(), session.shared_from_this());
  });
  router.add("live.resolve", [&service](Call&& call) {
    api::ArgReader args(call.args());
    std::string liveId = args.string("liveId", 1, 255);
    if (args.error()) return call.fail(*args.error());
    if (auto e = service.checkLiveId(liveId)) return call.fail(*e);
    if (!allowed(call, liveId, "attach")) return;
    auto prefs = LiveArgs::preferences(call.args());
    if (auto* e = std::get_if<ApiError>(&prefs)) return call.fail(*e);
    service.resolve(liveId, std::get<std::vector<std::string>>(prefs), replyTo(std::move(call)));
  });
}

}  // namespace onair::live
