#pragma once
// HTTP/1.1 listener (Beast parses) spread over the event loops: one acceptor hands accepted
// sockets to the loops round-robin; a connection then stays on its loop for its whole life.
// A WebSocket upgrade on one of the upgrade paths is answered by Beast's handshake, then the raw
// socket is handed to the Handler, which runs onair's own frame codec on it.
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "net/AddressLimiter.hpp"
#include "net/EventLoop.hpp"
#include "net/HttpMessage.hpp"

namespace onair::net {

class HttpServer {
 public:
  class Handler {
   public:
    virtual ~Handler() = default;
    // Called on `loop`'s thread. `respond` must be called exactly once, from any thread.
    virtual void onHttpRequest(EventLoop& loop, HttpRequest request, std::function<void(HttpResponse)> respond) = 0;
    // The upgrade handshake is done; the socket now speaks WebSocket frames. `place` is the
    // connection's place under http.max_connections_per_address: keep it until the socket closes.
    virtual void onWebSocket(EventLoop& loop, boost::asio::ip::tcp::socket socket, const HttpRequest& request,
                             AddressLimiter::Place place) = 0;
  };

  struct Settings {
    std::string host = "127.0.0.1";
    uint16_t port = 7880;
    size_t maxBodyBytes = 1 << 20;
    size_t maxHeaderBytes = 16 << 10;
    std::chrono::milliseconds idleTimeout{30000};
    // Paths that accept a WebSocket upgrade: an entry ending in '/' takes every path under it
    // (y-websocket names the document in the path), any other entry that path alone.
    std::vector<std::string> upgradePaths{"/v1/connect"};
    // Open connections (HTTP and WebSocket) per remote address; 0 = no cap. Over it, a request
    // is answered 429 cap_exceeded and the connection closed.
    uint32_t maxConnectionsPerAddress = 1024;
  };

  HttpServer(std::vector<EventLoop*> loops, Settings settings, Handler& handler);
  ~HttpServer();

  // Binds and listens on every loop (throws std::system_error with a clear message on failure).
  // Returns the bound port (useful with port 0).
  uint16_t listen();
  void startAccepting();
  // Closes the acceptors. Thread-safe; returns at once.
  void stopAccepting();

 private:
  struct Acceptor;
  std::vector<EventLoop*> loops_;
  Settings settings_;
  Handler& handler_;
  AddressLimiter limiter_;
  std::vector<std::shared_ptr<Acceptor>> acceptors_;
};

}  // namespace onair::net
