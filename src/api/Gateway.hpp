#pragma once
// The front door: HTTP requests go to the router (then to static files), WebSocket upgrades on
// /v1/connect become a WsConnection with a ClientSession on the loop that accepted them, and
// upgrades on the paths surfaces added (addWebSocketEndpoint: the Yjs protocols) go to them.
#include "api/HttpRouter.hpp"
#include "api/SessionContext.hpp"
#include "api/StaticFiles.hpp"
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "net/HttpServer.hpp"

namespace onair::api {

class Gateway final : public net::HttpServer::Handler {
 public:
  Gateway(const HttpRouter& router, const StaticFiles& files, const SessionContext& sessions)
      : router_(router), files_(files), sessions_(sessions) {}

  void onHttpRequest(net::EventLoop& loop, net::HttpRequest request, std::function<void(net::HttpResponse)> respond) override;
  void onWebSocket(net::EventLoop& loop, boost::asio::ip::tcp::socket socket, const net::HttpRequest& request,
                   net::AddressLimiter::Place place) override;
  using WebSocketEndpoint = std::function<void(net::EventLoop& loop, boost::asio::ip::tcp::socket socket,
                                               const net::HttpRequest& request, net::AddressLimiter::Place place)>;
  // Upgrades on `path` go to `endpoint` (a path ending in '/': every path under it). Before start.
  void addWebSocketEndpoint(std::string path, WebSocketEndpoint endpoint);
  // /v1/connect and the added paths, for net::HttpServer::Settings::upgradePaths.
  std::vector<std::string> upgradePaths() const;

  // Serves a request on this node, whatever node owns what it names (a relayed request).
  void serveHere(net::EventLoop& loop, net::HttpRequest request, std::function<void(net::HttpResponse)> respond);

 private:
  const HttpRouter& router_;
  const StaticFiles& files_;
  const SessionContext& sessions_;
  std::vector<std::pair<std::string, WebSocketEndpoint>> endpoints_;
};

}  // namespace onair::api
