#pragma once
// The server API of stream rooms under /v1/streams/rooms (docs/http-api.md "Stream rooms"):
// create, list, get, update, delete, checked like the client ops; the API acts on every room.
namespace onair::api {
class HttpRouter;
}

namespace onair::streams {

class StreamService;

void registerStreamRoutes(api::HttpRouter& router, StreamService& service);

}  // namespace onair::streams
