#pragma once
// The front door: HTTP requests go to the router (then to static files), WebSocket upgrades
// become a WsConnection with a ClientSession on the loop that accepted them.
#include "api/HttpRouter.hpp"
#include "api/SessionContext.hpp"
#include "api/StaticFiles.hpp"
#include "net/HttpServer.hpp"

namespace onair::api {

class Gateway final : public net::HttpServer::Handler {
 public:
  Gateway(const HttpRouter& router, const StaticFiles& files, const SessionContext& sessions)
      : router_(router), files_(files), sessions_(sessions) {}

  void onHttpRequest(net::EventLoop& loop, net::HttpRequest request, std::function<void(net::HttpResponse)> respond) override;
  void onWebSocket(net::EventLoop& loop, boost::asio::ip::tcp::socket socket, const net::HttpRequest& request,
                   net::AddressLimiter::Place place) override;
  // Serves a request on this node, whatever node owns what it names (a relayed request).
  void serveHere(net::EventLoop& loop, net::HttpRequest request, std::function<void(net::HttpResponse)> respond);

 private:
  const HttpRouter& router_;
  const StaticFiles& files_;
  const SessionContext& sessions_;
};

}  // namespace onair::api
