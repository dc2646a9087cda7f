#pragma once
// The server API of rooms and channels under /v1/rooms/, /v1/channels/ and /v1/stats
// (docs/http-api.md). Bodies and queries are checked like client args; the API may act on any
// room or channel.
namespace onair::api {
class HttpRouter;
}

namespace onair::rooms {

class RoomService;

void registerRoomRoutes(api::HttpRouter& router, RoomService& service);

}  // namespace onair::rooms
