#include "api/ClientSession.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "api/BinaryFrame.hpp"
#include "api/OpRouter.hpp"
#include "auth/TokenVerifier.hpp"
#include "util/Random.hpp"
#include "util/Time.hpp"

namespace onair::api {

ClientSession::ClientSession(const SessionContext& context, net::EventLoop& loop,
                             std::weak_ptr<net::WsConnection> connection)
    : context_(context), loop_(loop), connection_(std::move(connection)) {}

void ClientSession::sendText(std::string_view text) {
  if (auto c = connection_.lock()) c->sendText(text);
}

void ClientSession::replyError(const boost::json::value& id, const ApiError& error) {
  sendText(Envelope::error(id, error));
}

void ClientSession::countBadRequest() {
  auto now = loop_.coarseNow();
  if (now - badWindowStart_ > context_.badRequestWindow) {
    badWindowStart_ = now;
    badRequests_ = 0;
  }
  if (++badRequests_ <= context_.badRequestLimit) return;
  if (auto c = connection_.lock()) c->close(net::wsclose::PolicyViolation, "too many bad requests");
}

void ClientSession::onWsMessage(net::WsConnection& connection, net::WsOpcode opcode, std::string_view payload) {
  // Step 1: binary frames carry bytes for a target, once connected, to the surface that takes them.
  if (opcode != net::WsOpcode::Text) {
    std::string why;
    auto frame = claims_ ? BinaryFrame::parse(payload, why) : std::nullopt;
    if (!claims_) why = "connect before sending binary frames";
    if (!frame || !context_.router->binaryHandler()) {
      replyError(nullptr, ApiError::invalidArgument(frame ? "nothing on this server takes binary frames" : why));
      return countBadRequest();
    }
    return context_.router->binaryHandler()(*this, *frame);
  }
  // Step 2: the envelope.
  auto decoded = Envelope::decode(payload);
  if (auto* bad = std::get_if<EnvelopeError>(&decoded)) {
    replyError(bad->id, bad->error);
    loop_.metrics().countRequest("invalid", toString(bad->error.code));
    return countBadRequest();
  }
  auto& request = std::get<Request>(decoded);
  // Step 3: authentication comes first.
  if (!claims_) return handleConnect(std::move(request));
  if (request.op == "connect") {
    replyError(request.id, ApiError::invalidArgument("this connection is already connected"));
    return countBadRequest();
  }
  // Step 4: route.
  context_.router->dispatch(Call(shared_from_this(), std::move(request.id), std::move(request.op), std::move(request.args)));
}

void ClientSession::handleConnect(Request request) {
  auto refuse = [&](std::string why) {
    loop_.metrics().countRequest("connect", "unauthenticated");
    replyError(request.id, {ErrorCode::Unauthenticated, std::move(why), std::nullopt});
    if (auto c = connection_.lock()) c->close(net::wsclose::Unauthenticated, "unauthenticated");
  };
  if (request.op != "connect") return refuse("the first request must be connect");
  auto tokenIt = request.args.find("token");
  if (tokenIt == request.args.end() || !tokenIt->value().is_string()) return refuse("connect needs args.token (a string)");
  auto verified = context_.verifier->verifyAccess(tokenIt->value().as_string(), util::epochSeconds());
  if (auto* err = std::get_if<auth::TokenError>(&verified)) {
    spdlog::info("connect refused: {}", err->reason);
    return refuse(err->reason);
  }
  claims_ = std::make_unique<auth::AccessClaims>(std::move(std::get<auth::AccessClaims>(verified)));
  sessionId_ = util::randomId("s_", 9);
  if (auto c = connection_.lock()) c->markEstablished();
  boost::json::object result;
  result["sessionId"] = sessionId_;
  result["userId"] = claims_->userId;
  result["name"] = claims_->name;
  result["scope"] = claims_->scope ? boost::json::value(*claims_->scope) : boost::json::value(nullptr);
  result["expiresAt"] = util::isoTimeFromSeconds(claims_->expiresAt);
  result["serverTime"] = util::isoTime(std::chrono::system_clock::now());
  result["server"] = boost::json::object{{"version", ONAIR_VERSION}};
  result["keepalive"] = boost::json::object{{"pingIntervalMs", context_.pingInterval.count()},
                                            {"pingTimeoutMs", context_.pingTimeout.count()}};
  loop_.metrics().countRequest("connect", "ok");
  sendText(Envelope::result(request.id, result));
}

void ClientSession::onWsClosed(net::WsConnection&, uint16_t) {
  auto cleanups = std::move(cleanups_);
  for (auto& cleanup : cleanups) cleanup();
}

}  // namespace onair::api
