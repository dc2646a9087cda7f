#include "streams/StreamRoutes.hpp"

#include <boost/json.hpp>

#include "api/ArgReader.hpp"
#include "api/HttpReply.hpp"
#include "api/HttpRouter.hpp"
#include "api/JsonBody.hpp"
#include "api/QueryArgs.hpp"
#include "api/RequestQuery.hpp"
#include "api/Reply.hpp"
#include "streams/StreamRoomArgs.hpp"
#include "streams/StreamService.hpp"

namespace onair::streams {
namespace {

using api::ErrorCode;
using api::replyTo;
using Respond = api::HttpRouter::Respond;

}  // namespace

void registerStreamRoutes(api::HttpRouter& router, StreamService& service) {
  using Access = api::HttpRouter::Access;
  router.add("POST", "/v1/streams/rooms", Access::ApiKey, [&service](net::EventLoop&, const net::HttpRequest& req, Respond respond) {
    auto body = api::jsonBody(req, respond);
    if (!body) return;
    api::ArgReader args(*body);
    auto spec = StreamRoomArgs::spec(args, *body, true);
    if (args.error()) return respond(api::errorReply(*args.error()));
    service.create(std::move(spec), StreamActor{}, replyTo(respond));
  });
  router.add("GET", "/v1/streams/rooms", Access::ApiKey, [&service](net::EventLoop&, const net::HttpRequest& req, Respond respond) {
    auto q = api::requestQuery(req, respond, {"skip", "limit"});
    if (!q) return;
    api::ArgReader args(*q);
    auto query = StreamRoomArgs::listQuery(args);
    if (args.error()) return respond(api::errorReply(*args.error()));
    service.list(std::move(query), StreamActor{}, replyTo(respond));
  });
  router.addPrefix("/v1/streams/rooms/", Access::ApiKey, [&service](net::EventLoop&, const net::HttpRequest& req, Respond respond) {
    auto seg = api::QueryArgs::segments(req.path, 3);  // after "v1", "streams", "rooms"
    boost::json::object idArgs;
    if (seg.size() == 1) idArgs["streamRoomId"] = seg[0];
    api::ArgReader ids(idArgs);
    std::string roomId = StreamRoomArgs::roomId(ids);
    if (seg.size() != 1 || ids.error()) {
      return respond(api::errorReply({ErrorCode::NotFound, "name a stream room: /v1/streams/rooms/{streamRoomId}", std::nullopt}));
    }
    if (req.method == "GET") return service.get(roomId, StreamActor{}, replyTo(respond));
    if (req.method == "DELETE") return service.remove(roomId, StreamActor{}, replyTo(respond));
    if (req.method == "PUT") {
      auto body = api::jsonBody(req, respond);
      if (!body) return;
      api::ArgReader args(*body);
      auto update = StreamRoomArgs::update(args, *body);
      if (args.error()) return respond(api::errorReply(*args.error()));
      return service.update(roomId, std::move(update), StreamActor{}, replyTo(respond));
    }
    respond(api::errorReply({ErrorCode::NotFound, "no such route: " + req.method + " " + req.path, std::nullopt}));
  });
}

}  // namespace onair::streams
