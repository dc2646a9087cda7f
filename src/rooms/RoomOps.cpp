#include "rooms/RoomOps.hpp"

#include <boost/json.hpp>
#include <memory>

#include "api/ArgReader.hpp"
#include "api/Reply.hpp"
#include "api/ClientSession.hpp"
#include "api/OpRouter.hpp"
#include "rooms/RequestParts.hpp"
#include "rooms/RoomService.hpp"

namespace onair::rooms {
namespace {

using api::ApiError;
using api::Call;
using api::ErrorCode;

using api::replyTo;

const char* surfaceOf(Kind kind) { return kind == Kind::Room ? "room" : "channel"; }

// Fails the call unless the token grants `action` on the named room or channel.
bool allowed(Call& call, Kind kind, const std::string& name, const char* action) {
  if (call.session().claims()->grants.allows(surfaceOf(kind), name, action)) return true;
  call.fail({ErrorCode::Permission, std::string("your token does not allow ") + action + " on " + surfaceOf(kind) + " " + name, std::nullopt});
  return false;
}

// Reads the name, checks the grant, then runs `body`. Returns without running on any failure.
template <class Body>
void withName(Call&& call, Kind kind, const char* action, Body body) {
  api::ArgReader args(call.args());
  std::string name = RequestParts::name(args, surfaceOf(kind));
  if (args.error()) return call.fail(*args.error());
  if (action && !allowed(call, kind, name, action)) return;
  body(std::move(call), args, name);
}

SubscribeRequest subscribeRequest(Call& call, Kind kind, const std::string& name) {
  SubscribeRequest r;
  r.kind = kind;
  r.name = name;
  r.shard = call.session().loop().index();
  r.session = call.session().shared_from_this();
  r.sessionId = call.session().sessionId();
  return r;
}

void registerStreamOps(api::OpRouter& router, RoomService& service, Kind kind) {
  std::string prefix = surfaceOf(kind);
  router.add(prefix + ".publish", [&service, kind](Call&& call) {
    withName(std::move(call), kind, "publish", [&service, kind](Call&& call, api::ArgReader& args, const std::string& name) {
      auto request = RequestParts::publish(args, kind, name, call.session().claims()->userId);
      if (args.error()) return call.fail(*args.error());
      service.publish(std::move(request), replyTo(std::move(call)));
    });
  });
  router.add(prefix + ".broadcast", [&service, kind](Call&& call) {
    withName(std::move(call), kind, "publish", [&service, kind](Call&& call, api::ArgReader& args, const std::string& name) {
      auto request = RequestParts::publish(args, kind, name, call.session().claims()->userId);
      if (args.error()) return call.fail(*args.error());
      service.broadcast(std::move(request), replyTo(std::move(call)));
    });
  });
  router.add(prefix + ".history", [&service, kind](Call&& call) {
    withName(std::move(call), kind, "history", [&service, kind](Call&& call, api::ArgReader& args, const std::string& name) {
      auto request = RequestParts::history(args, kind, name);
      if (args.error()) return call.fail(*args.error());
      service.history(std::move(request), replyTo(std::move(call)));
    });
  });
}

void registerRoomOnlyOps(api::OpRouter& router, RoomService& service) {
  router.add("room.join", [&service](Call&& call) {
    withName(std::move(call), Kind::Room, "subscribe", [&service](Call&& call, api::ArgReader& args, const std::string& name) {
      auto request = subscribeRequest(call, Kind::Room, name);
      request.since = RequestParts::since(args, call.args());
      const auto* metadata = args.optionalObject("metadata");
      const auto& presence = args.any("presence");
      if (args.error()) return call.fail(*args.error());
      if (!presence.is_null() && !allowed(call, Kind::Room, name, "presence")) return;
      const auto* claims = call.session().claims();
      request.member = MemberInfo{claims->userId, claims->name, metadata ? boost::json::value(*metadata) : boost::json::value(), presence};
      service.subscribe(std::move(request), replyTo(std::move(call)));
    });
  });
  router.add("room.leave", [&service](Call&& call) {
    withName(std::move(call), Kind::Room, nullptr, [&service](Call&& call, api::ArgReader&, const std::string& name) {
      auto& session = call.session();
      service.unsubscribe(session.loop().index(), session, Kind::Room, name, replyTo(std::move(call)));
    });
  });
  router.add("room.send", [&service](Call&& call) {
    withName(std::move(call), Kind::Room, "publish", [&service](Call&& call, api::ArgReader& args, const std::string& name) {
      auto& session = call.session();
      DirectRequest request{name, args.string("to", 1, 255), args.string("type", 1, 128), boost::json::serialize(args.any("data")),
                            session.claims()->userId, session.sessionId()};
      if (args.error()) return call.fail(*args.error());
      service.send(std::move(request), replyTo(std::move(call)));
    });
  });
  router.add("room.members", [&service](Call&& call) {
    withName(std::move(call), Kind::Room, "subscribe", [&service](Call&& call, api::ArgReader& args, const std::string& name) {
      auto request = RequestParts::members(args, name);
      if (args.error()) return call.fail(*args.error());
      service.members(std::move(request), replyTo(std::move(call)));
    });
  });
  router.add("room.presence", [&service](Call&& call) {
    withName(std::move(call), Kind::Room, "presence", [&service](Call&& call, api::ArgReader& args, const std::string& name) {
      boost::json::value presence = args.any("presence");
      if (args.error()) return call.fail(*args.error());
      auto& session = call.session();
      service.setPresence(name, session.claims()->userId, session.sessionId(), std::move(presence), replyTo(std::move(call)));
    });
  });
  router.add("room.metadata", [&service](Call&& call) {
    withName(std::move(call), Kind::Room, "subscribe", [&service](Call&& call, api::ArgReader& args, const std::string& name) {
      const auto* metadata = args.optionalObject("metadata");
      auto version = args.optionalInteger("version", 0, INT64_MAX);
      if (args.error()) return call.fail(*args.error());
      if (metadata && !allowed(call, Kind::Room, name, "metadata")) return;
      std::optional<boost::json::value> write;
      if (metadata) write = boost::json::value(*metadata);
      std::optional<uint64_t> expected;
      if (version) expected = static_cast<uint64_t>(*version);
      service.metadata(name, std::move(write), expected, replyTo(std::move(call)));
    });
  });
  router.add("room.snapshot", [&service](Call&& call) {
    withName(std::move(call), Kind::Room, "subscribe", [&service](Call&& call, api::ArgReader& args, const std::string& name) {
      auto request = RequestParts::snapshot(args, name);
      if (args.error()) return call.fail(*args.error());
      service.snapshot(std::move(request), replyTo(std::move(call)));
    });
  });
  router.add("room.destroy", [&service](Call&& call) {
    withName(std::move(call), Kind::Room, "admin", [&service](Call&& call, api::ArgReader&, const std::string& name) {
      service.destroy(Kind::Room, name, replyTo(std::move(call)));
    });
  });
}

void registerChannelOnlyOps(api::OpRouter& router, RoomService& service) {
  router.add("channel.subscribe", [&service](Call&& call) {
    withName(std::move(call), Kind::Channel, "subscribe", [&service](Call&& call, api::ArgReader& args, const std::string& name) {
      auto request = subscribeRequest(call, Kind::Channel, name);
      request.since = RequestParts::since(args, call.args());
      if (args.error()) return call.fail(*args.error());
      service.subscribe(std::move(request), replyTo(std::move(call)));
    });
  });
  router.add("channel.unsubscribe", [&service](Call&& call) {
    withName(std::move(call), Kind::Channel, nullptr, [&service](Call&& call, api::ArgReader&, const std::string& name) {
      auto& session = call.session();
      service.unsubscribe(session.loop().index(), session, Kind::Channel, name, replyTo(std::move(call)));
    });
  });
  router.add("channel.stats", [&service](Call&& call) {
    withName(std::move(call), Kind::Channel, "subscribe", [&service](Call&& call, api::ArgReader&, const std::string& name) {
      service.channelStats(name, replyTo(std::move(call)));
    });
  });
}

}  // namespace

void registerRoomOps(api::OpRouter& router, RoomService& service) {
  registerStreamOps(router, service, Kind::Room);
  registerStreamOps(router, service, Kind::Channel);
  registerRoomOnlyOps(router, service);
  registerChannelOnlyOps(router, service);
  router.add("sys.stats", [&service](Call&& call) { service.stats(replyTo(std::move(call))); });
}

}  // namespace onair::rooms
