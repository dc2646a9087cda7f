#include "net/HttpServer.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <spdlog/spdlog.h>

#include <optional>
#include <system_error>

namespace onair::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

struct HttpServer::Acceptor {
  explicit Acceptor(asio::io_context& io) : acceptor(io), backoff(io) {}
  tcp::acceptor acceptor;
  asio::steady_timer backoff;  // pause after a failed accept (e.g. out of file descriptors)
  size_t next = 0;             // round-robin cursor over the loops
};

namespace {

constexpr auto kHandlerDeadline = std::chrono::seconds(30);
// How long a connection over the per-address cap may take to send the request we refuse.
constexpr auto kRefusalDeadline = std::chrono::seconds(5);

// Whether `path` is one of the upgrade paths (Settings::upgradePaths: '/' at the end = a prefix).
bool upgradable(const std::vector<std::string>& paths, const std::string& path) {
  for (const auto& p : paths) {
    const bool prefix = !p.empty() && p.back() == '/';
    if (prefix ? path.size() > p.size() && path.compare(0, p.size(), p) == 0 : path == p) return true;
  }
  return false;
}

std::string listOf(const std::vector<std::string>& paths) {
  std::string out;
  for (const auto& p : paths) out += (out.empty() ? "" : ", ") + p + (p.back() == '/' ? "<name>" : "");
  return out;
}

std::string errorBody(std::string_view code, std::string_view message) {
  return fmt::format(R"({{"error":{{"code":"{}","message":"{}"}}}})", code, message);
}

HttpRequest toPlain(const http::request<http::string_body>& req, const std::string& remote) {
  HttpRequest out;
  out.method = std::string(req.method_string());
  std::string_view target = req.target();
  auto q = target.find('?');
  out.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) out.query = std::string(target.substr(q + 1));
  out.host = std::string(req[http::field::host]);
  out.authorization = std::string(req[http::field::authorization]);
  out.contentType = std::string(req[http::field::content_type]);
  out.body = req.body();
  out.remote = remote;
  return out;
}

http::response<http::string_body> toBeast(HttpResponse&& r, unsigned version, bool keepAlive) {
  http::response<http::string_body> res{static_cast<http::status>(r.status), version};
  res.set(http::field::server, "onair");
  res.set(http::field::content_type, r.contentType);
  for (auto& [k, v] : r.headers) res.set(k, v);
  res.body() = std::move(r.body);
  res.keep_alive(keepAlive);
  res.prepare_payload();
  return res;
}

// Waits for the handler's asynchronous answer on this session's executor. A handler that has not
// answered after kHandlerDeadline is a bug: the client gets 500 internal (not 503: the request may
// have taken effect) and the log names the route, so an operator can report it.
asio::awaitable<HttpResponse> awaitResponse(HttpServer::Handler& handler, EventLoop& loop, HttpRequest request) {
  auto executor = co_await asio::this_coro::executor;
  const std::string route = request.method + ' ' + request.path;  // not the query: it may hold a token
  auto signal = std::make_shared<asio::steady_timer>(executor, std::chrono::steady_clock::now() + kHandlerDeadline);
  auto slot = std::make_shared<std::optional<HttpResponse>>();
  handler.onHttpRequest(loop, std::move(request), [signal, slot, executor](HttpResponse r) {
    asio::post(executor, [signal, slot, r = std::move(r)]() mutable {
      *slot = std::move(r);
      signal->cancel();
    });
  });
  while (!*slot) {
    auto [ec] = co_await signal->async_wait(asio::as_tuple(asio::use_awaitable));
    if (!ec && !*slot) {
      spdlog::warn("http: {} got no answer from its handler within {} s (answered 500 internal); please report this",
                   route, kHandlerDeadline.count());
      co_return HttpResponse{500, "application/json", errorBody("internal", "the request timed out inside the server"), {}};
    }
  }
  co_return std::move(**slot);
}

// A connection over http.max_connections_per_address: its request (head only, bounded by the
// header limit) is answered 429 cap_exceeded, then the connection closes. Nothing of it is kept.
asio::awaitable<void> refuseOverCap(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                    const HttpServer::Settings& settings) {
  http::request_parser<http::empty_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(settings.maxHeaderBytes));
  stream.expires_after(std::min<std::chrono::steady_clock::duration>(settings.idleTimeout, kRefusalDeadline));
  auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
  if (ec) co_return;
  auto res = toBeast({429, "application/json",
                      errorBody("cap_exceeded", fmt::format("too many connections from your address: at most {} may be open "
                                                            "(http.max_connections_per_address); close one and retry",
                                                            settings.maxConnectionsPerAddress)),
                      {}},
                     parser.get().version(), false);
  co_await http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<void> runSession(tcp::socket socket, EventLoop& loop, const HttpServer::Settings& settings,
                                 HttpServer::Handler& handler, AddressLimiter& limiter) {
  boost::system::error_code rec;
  auto ep = socket.remote_endpoint(rec);
  std::string remote = rec ? "?" : ep.address().to_string() + ":" + std::to_string(ep.port());
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  // Every connection takes a place under the per-address cap for as long as it is open.
  std::optional<AddressLimiter::Place> place;
  if (rec) place.emplace();  // no address to count by (the peer is already gone)
  else place = limiter.admit(ep.address());
  if (!place) {
    LoopMetrics::add(loop.metrics().connectionsRefused);
    spdlog::debug("connection from {} refused: {} open from that address", remote, settings.maxConnectionsPerAddress);
    co_await refuseOverCap(stream, buffer, settings);
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    co_return;
  }
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(settings.maxHeaderBytes));
    parser.body_limit(settings.maxBodyBytes);
    stream.expires_after(settings.idleTimeout);
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
    if (ec) {
      // Answer what can be answered, then close; a vanished peer just goes.
      std::optional<HttpResponse> bad;
      if (ec == http::error::body_limit) {
        bad = HttpResponse{413, "application/json", errorBody("payload_too_large", "request body is over http.max_body_bytes"), {}};
      } else if (ec == http::error::header_limit) {
        bad = HttpResponse{431, "application/json", errorBody("payload_too_large", "request headers are too large"), {}};
      } else if (&ec.category() == &http::make_error_code(http::error::bad_method).category() &&
                 ec != http::error::end_of_stream && ec != http::error::partial_message) {
        bad = HttpResponse{400, "application/json", errorBody("invalid_argument", "malformed HTTP request"), {}};
      }
      if (bad) {
        auto res = toBeast(std::move(*bad), 11, false);
        co_await http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
      }
      break;
    }
    auto req = parser.release();
    HttpRequest plain = toPlain(req, remote);
    LoopMetrics::add(loop.metrics().httpRequests);
    if (websocket::is_upgrade(req)) {
      if (!upgradable(settings.upgradePaths, plain.path)) {
        auto res = toBeast({404, "application/json", errorBody("not_found", "WebSocket endpoints: " + listOf(settings.upgradePaths)), {}}, req.version(), false);
        co_await http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
        break;
      }
      stream.expires_never();
      websocket::stream<beast::tcp_stream> ws(std::move(stream));
      ws.set_option(websocket::stream_base::decorator(
          [](websocket::response_type& res) { res.set(http::field::server, "onair"); }));
      auto [aec] = co_await ws.async_accept(req, asio::as_tuple(asio::use_awaitable));
      if (aec) co_return;
      // From here on the frames are onair's own (WsCodec): take the socket out of Beast.
      handler.onWebSocket(loop, ws.next_layer().release_socket(), plain, std::move(*place));
      co_return;
    }
    HttpResponse answer = co_await awaitResponse(handler, loop, std::move(plain));
    auto res = toBeast(std::move(answer), req.version(), req.keep_alive());
    auto [wec, wn] = co_await http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
    if (wec || !res.keep_alive()) break;
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

}  // namespace

HttpServer::HttpServer(std::vector<EventLoop*> loops, Settings settings, Handler& handler)
    : loops_(std::move(loops)), settings_(std::move(settings)), handler_(handler),
      limiter_(settings_.maxConnectionsPerAddress) {}

HttpServer::~HttpServer() = default;

uint16_t HttpServer::listen() {
  // One acceptor, sockets handed to the loops round-robin: a second onair on the same port fails
  // loudly instead of silently sharing it (as SO_REUSEPORT would allow).
  boost::system::error_code ec;
  auto address = asio::ip::make_address(settings_.host, ec);
  if (ec) throw std::system_error(ec, "http.host '" + settings_.host + "' is not an IP address");
  tcp::endpoint endpoint(address, settings_.port);
  auto a = std::make_shared<Acceptor>(loops_.front()->io());
  a->acceptor.open(endpoint.protocol());
  a->acceptor.set_option(tcp::acceptor::reuse_address(true));
  a->acceptor.bind(endpoint, ec);
  if (ec) {
    throw std::system_error(ec, fmt::format("cannot listen on {}:{} ({}); is another server using it? "
                                            "Pick another port with --http-port",
                                            settings_.host, settings_.port, ec.message()));
  }
  a->acceptor.listen(asio::socket_base::max_listen_connections);
  acceptors_.push_back(a);
  return a->acceptor.local_endpoint().port();
}

void HttpServer::startAccepting() {
  for (auto& a : acceptors_) {
    auto loop0 = loops_.front();
    loop0->post([this, a] {
      // The accept loop: each new socket is bound to the next loop's io_context directly.
      struct AcceptLoop {
        HttpServer* server;
        std::shared_ptr<Acceptor> acceptor;
        void operator()() const {
          EventLoop* target = server->loops_[acceptor->next++ % server->loops_.size()];
          acceptor->acceptor.async_accept(target->io(), [self = *this, target](boost::system::error_code ec, tcp::socket socket) {
            if (ec == asio::error::operation_aborted || !self.acceptor->acceptor.is_open()) return;
            if (!ec) {
              asio::co_spawn(target->io(), runSession(std::move(socket), *target, self.server->settings_, self.server->handler_,
                                                        self.server->limiter_),
                             [](std::exception_ptr e) {
                               if (!e) return;
                               try {
                                 std::rethrow_exception(e);
                               } catch (const std::exception& ex) {
                                 spdlog::warn("http session ended by an exception: {}", ex.what());
                               }
                             });
              self();
              return;
            }
            // Out of descriptors or memory: retrying at once would spin the loop.
            spdlog::warn("accept failed: {}; retrying in 100 ms", ec.message());
            self.acceptor->backoff.expires_after(std::chrono::milliseconds(100));
            self.acceptor->backoff.async_wait([self](boost::system::error_code) { self(); });
          });
        }
      };
      AcceptLoop{this, a}();
    });
  }
}

void HttpServer::stopAccepting() {
  for (auto& a : acceptors_) {
    loops_.front()->post([a] {
      boost::system::error_code ec;
      a->acceptor.close(ec);
    });
  }
}

}  // namespace onair::net
