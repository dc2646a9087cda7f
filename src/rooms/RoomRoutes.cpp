#include "rooms/RoomRoutes.hpp"

#include <boost/json.hpp>
#include <vector>

#include "api/ArgReader.hpp"
#include "api/Reply.hpp"
#include "api/HttpReply.hpp"
#include "api/JsonBody.hpp"
#include "api/QueryArgs.hpp"
#include "api/RequestQuery.hpp"
#include "api/HttpRouter.hpp"
#include "rooms/RequestParts.hpp"
#include "rooms/RoomService.hpp"

namespace onair::rooms {
namespace {

using api::ApiError;
using api::ErrorCode;
using Respond = api::HttpRouter::Respond;
namespace json = boost::json;

using api::replyTo;

bool validName(const std::string& name, const char* what, const Respond& respond) {
  json::object o{{what, name}};
  api::ArgReader args(o);
  RequestParts::name(args, what);
  if (args.error()) respond(api::errorReply(*args.error()));
  return !args.error();
}

void stream(RoomService& service, Kind kind, const std::string& name, const std::string& action,
            const net::HttpRequest& req, const Respond& respond) {
  if (req.method == "POST" && (action == "publish" || action == "broadcast")) {
    auto b = api::jsonBody(req, respond);
    if (!b) return;
    api::ArgReader args(*b);
    auto request = RequestParts::publish(args, kind, name, "");
    if (args.error()) return respond(api::errorReply(*args.error()));
    if (action == "publish") return service.publish(std::move(request), replyTo(respond));
    return service.broadcast(std::move(request), replyTo(respond));
  }
  if (req.method == "GET" && action == "history") {
    auto q = api::requestQuery(req, respond);
    if (!q) return;
    api::ArgReader args(*q);
    auto request = RequestParts::history(args, kind, name);
    if (args.error()) return respond(api::errorReply(*args.error()));
    return service.history(std::move(request), replyTo(respond));
  }
  if (req.method == "DELETE" && action.empty()) return service.destroy(kind, name, replyTo(respond));
  respond(api::errorReply({ErrorCode::NotFound, "no such route: " + req.method + " " + req.path, std::nullopt}));
}

void room(RoomService& service, const std::vector<std::string>& seg, const net::HttpRequest& req, const Respond& respond) {
  const std::string& name = seg[0];
  std::string action = seg.size() > 1 ? seg[1] : "";
  if (req.method == "GET" && ((action == "members" && seg.size() == 2) || action == "presence")) {
    auto q = api::requestQuery(req, respond);
    if (!q) return;
    api::ArgReader args(*q);
    auto request = RequestParts::members(args, name);
    if (args.error()) return respond(api::errorReply(*args.error()));
    if (action == "members") return service.members(std::move(request), replyTo(respond));
    return service.presenceList(std::move(request), replyTo(respond));
  }
  if (action == "members" && req.method == "POST" && seg.size() == 2) {
    auto b = api::jsonBody(req, respond);
    if (!b) return;
    api::ArgReader args(*b);
    MemberInfo m;
    m.userId = args.string("userId", 1, 255);
    m.name = args.optionalString("name", 255).value_or("");
    if (const auto* md = args.optionalObject("metadata")) m.metadata = *md;
    m.presence = args.any("presence");
    if (args.error()) return respond(api::errorReply(*args.error()));
    return service.serverJoin(name, std::move(m), replyTo(respond));
  }
  if (action == "members" && req.method == "DELETE" && seg.size() == 3) return service.serverLeave(name, seg[2], replyTo(respond));
  if (action == "metadata" && (req.method == "GET" || req.method == "PUT")) {
    if (req.method == "GET") return service.metadata(name, std::nullopt, std::nullopt, replyTo(respond));
    auto b = api::jsonBody(req, respond);
    if (!b) return;
    api::ArgReader args(*b);
    const auto* md = args.optionalObject("metadata");
    auto version = args.optionalInteger("version", 0, INT64_MAX);
    if (!md && !args.error()) args.fail("metadata is required (an object)");
    if (args.error()) return respond(api::errorReply(*args.error()));
    std::optional<uint64_t> expected;
    if (version) expected = static_cast<uint64_t>(*version);
    return service.metadata(name, json::value(*md), expected, replyTo(respond));
  }
  if (action == "snapshot" && req.method == "GET") {
    auto q = api::requestQuery(req, respond);
    if (!q) return;
    api::ArgReader args(*q);
    auto request = RequestParts::snapshot(args, name);
    if (args.error()) return respond(api::errorReply(*args.error()));
    return service.snapshot(std::move(request), replyTo(respond));
  }
  stream(service, Kind::Room, name, action, req, respond);
}

}  // namespace

void registerRoomRoutes(api::HttpRouter& router, RoomService& service) {
  using Access = api::HttpRouter::Access;
  router.addPrefix("/v1/rooms/", Access::ApiKey, [&service](net::EventLoop&, const net::HttpRequest& req, Respond respond) {
    auto seg = api::QueryArgs::segments(req.path, 2);
    if (seg.empty() || !validName(seg[0], "room", respond)) {
      if (seg.empty()) respond(api::errorReply({ErrorCode::NotFound, "name a room: /v1/rooms/{room}/…", std::nullopt}));
      return;
    }
    room(service, seg, req, respond);
  });
  router.addPrefix("/v1/channels/", Access::ApiKey, [&service](net::EventLoop&, const net::HttpRequest& req, Respond respond) {
    auto seg = api::QueryArgs::segments(req.path, 2);
    if (seg.empty() || !validName(seg[0], "channel", respond)) {
      if (seg.empty()) respond(api::errorReply({ErrorCode::NotFound, "name a channel: /v1/channels/{channel}/…", std::nullopt}));
      return;
    }
    std::string action = seg.size() > 1 ? seg[1] : "";
    if (action == "stats" && req.method == "GET") return service.channelStats(seg[0], replyTo(respond));
    stream(service, Kind::Channel, seg[0], action, req, respond);
  });
  router.add("GET", "/v1/stats", Access::ApiKey, [&service](net::EventLoop&, const net::HttpRequest&, Respond respond) {
    service.stats(replyTo(respond));
  });
}

}  // namespace onair::rooms
