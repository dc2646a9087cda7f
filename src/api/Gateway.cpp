#include "api/Gateway.hpp"

#include "api/ClientSession.hpp"
#include "api/HttpReply.hpp"
#include "api/RequestRelay.hpp"
#include "net/WsConnection.hpp"

namespace onair::api {

void Gateway::onHttpRequest(net::EventLoop& loop, net::HttpRequest request, std::function<void(net::HttpResponse)> respond) {
  // Several nodes: a request about a stage or stream room is served by the node owning it.
  auto here = [this, &loop](net::HttpRequest r, RequestRelay::Respond done) { serveHere(loop, std::move(r), std::move(done)); };
  auto authorize = [this](const net::HttpRequest& r, const RequestRelay::Respond& done) { return router_.authorized(r, done); };
  if (sessions_.relay && sessions_.relay->takeHttp(loop, request, respond, here, authorize)) return;
  serveHere(loop, std::move(request), std::move(respond));
}

void Gateway::serveHere(net::EventLoop& loop, net::HttpRequest request, std::function<void(net::HttpResponse)> respond) {
  if (router_.dispatch(loop, request, respond)) return;
  const bool api = request.path.rfind("/v1/", 0) == 0;
  if (!api && (request.method == "GET" || request.method == "HEAD")) {
    if (auto file = files_.serve(request.path)) return respond(std::move(*file));
  }
  respond(errorReply({ErrorCode::NotFound, "no such route: " + request.method + " " + request.path, std::nullopt}));
}

void Gateway::addWebSocketEndpoint(std::string path, WebSocketEndpoint endpoint) {
  endpoints_.emplace_back(std::move(path), std::move(endpoint));
}

std::vector<std::string> Gateway::upgradePaths() const {
  std::vector<std::string> paths{"/v1/connect"};
  for (const auto& [path, endpoint] : endpoints_) paths.push_back(path);
  return paths;
}

void Gateway::onWebSocket(net::EventLoop& loop, boost::asio::ip::tcp::socket socket, const net::HttpRequest& request,
                          net::AddressLimiter::Place place) {
  for (const auto& [path, endpoint] : endpoints_) {
    const bool prefix = path.back() == '/';
    if (prefix ? request.path.compare(0, path.size(), path) == 0 : request.path == path) {
      return endpoint(loop, std::move(socket), request, std::move(place));
    }
  }
  auto connection = std::make_shared<net::WsConnection>(loop, std::move(socket));
  connection->holdPlace(std::move(place));
  auto session = std::make_shared<ClientSession>(sessions_, loop, connection);
  connection->start(std::move(session));
}

}  // namespace onair::api
