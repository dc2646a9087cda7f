#include "api/ClientSession.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "api/BinaryFrame.hpp"
#include "api/OpRouter.hpp"
#include "api/RequestRelay.hpp"
#include "auth/TokenVerifier.hpp"
#include "util/Random.hpp"
#include "util/Time.hpp"

namespace onair::api {

namespace {

// args.token, when it is a string.
const boost::json::string* tokenArg(const Request& request) {
  auto it = request.args.find("token");
  return it != request.args.end() && it->value().is_string() ? &it->value().as_string() : nullptr;
}

}  // namespace

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
    const auto* handler = frame ? context_.router->binaryHandlerFor(frame->target) : nullptr;
    if (!handler) {
      replyError(nullptr, ApiError::invalidArgument(frame ? "nothing on this server takes binary frames" : why));
      return countBadRequest();
    }
    return (*handler)(*this, *frame);
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
  if (request.op == "refresh") return handleRefresh(std::move(request));
  // Step 4: route, here or (an object another node owns) there.
  if (context_.relay && !relayed_ && context_.relay->take(*this, request, payload)) return;
  context_.router->dispatch(Call(shared_from_this(), std::move(request.id), std::move(request.op), std::move(request.args)));
}

std::optional<auth::AccessClaims> ClientSession::verifyToken(std::string_view token, std::string& why) const {
  auto verified = context_.verifier->verifyAccess(token, util::epochSeconds());
  if (auto* err = std::get_if<auth::TokenError>(&verified)) {
    why = std::move(err->reason);
    return std::nullopt;
  }
  return std::move(std::get<auth::AccessClaims>(verified));
}

void ClientSession::armExpiry(net::WsConnection& connection, int64_t exp) const {
  using namespace std::chrono;
  // Clamped, so a far-future exp cannot overflow the clock: ten years is "never" for a socket.
  constexpr int64_t kNeverSeconds = int64_t(10) * 365 * 24 * 3600;
  const int64_t nowMs = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  const int64_t until = std::min(exp, nowMs / 1000 + kNeverSeconds) + context_.tokenLeeway.count();
  connection.setExpiry(net::EventLoop::Clock::now() + milliseconds(until * 1000 - nowMs));
}

void ClientSession::handleConnect(Request request) {
  auto refuse = [&](std::string why) {
    loop_.metrics().countRequest("connect", "unauthenticated");
    replyError(request.id, {ErrorCode::Unauthenticated, std::move(why), std::nullopt});
    if (auto c = connection_.lock()) c->close(net::wsclose::Unauthenticated, "unauthenticated");
  };
  if (request.op != "connect") return refuse("the first request must be connect");
  const auto* token = tokenArg(request);
  if (!token) return refuse("connect needs args.token (a string)");
  std::string why;
  auto verified = verifyToken(*token, why);
  if (!verified) {
    spdlog::info("connect refused: {}", why);
    return refuse(std::move(why));
  }
  claims_ = std::make_unique<auth::AccessClaims>(std::move(*verified));
  token_.assign(token->data(), token->size());
  sessionId_ = util::randomId("s_", 9);
  if (auto c = connection_.lock()) {
    c->markEstablished();
    armExpiry(*c, claims_->expiresAt);
  }
  const auto& ws = loop_.wsSettings();
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
  result["limits"] = boost::json::object{{"maxMessageBytes", ws.limits.maxMessageBytes},
                                         {"maxFrameBytes", ws.limits.maxFrameBytes},
                                         {"sendQueueBytes", ws.sendQueueBytes}};
  loop_.metrics().countRequest("connect", "ok");
  sendText(Envelope::result(request.id, result));
}

// A new token for the same user (and scope) before the current one expires: it moves the
// connection's deadline and replaces its grants. A refused refresh leaves the session as it was.
void ClientSession::handleRefresh(Request request) {
  auto fail = [&](ErrorCode code, std::string why) {
    loop_.metrics().countRequest("refresh", toString(code));
    replyError(request.id, {code, std::move(why), std::nullopt});
  };
  const auto* token = tokenArg(request);
  if (!token) {
    fail(ErrorCode::InvalidArgument, "refresh needs args.token (a string)");
    return countBadRequest();
  }
  std::string why;
  auto verified = verifyToken(*token, why);
  if (!verified) return fail(ErrorCode::Unauthenticated, std::move(why));
  if (verified->userId != claims_->userId) {
    return fail(ErrorCode::Permission, "the token is for another user; a connection keeps the user it connected as "
                                       "(reconnect to change users)");
  }
  if (verified->scope != claims_->scope) {
    return fail(ErrorCode::Permission, "the token is for another scope; a connection keeps the scope it connected with "
                                       "(reconnect to change scopes)");
  }
  *claims_ = std::move(*verified);
  token_.assign(token->data(), token->size());
  if (auto c = connection_.lock()) armExpiry(*c, claims_->expiresAt);
  if (context_.relay && !relayed_) context_.relay->refreshed(*this);
  loop_.metrics().countRequest("refresh", "ok");
  sendText(Envelope::result(request.id, boost::json::object{{"expiresAt", util::isoTimeFromSeconds(claims_->expiresAt)},
                                                            {"serverTime", util::isoTime(std::chrono::system_clock::now())}}));
}

bool ClientSession::adopt(std::string_view token, std::string sessionId, std::string& why) {
  auto verified = verifyToken(token, why);
  if (!verified) return false;
  if (claims_ && (verified->userId != claims_->userId || verified->scope != claims_->scope)) {
    why = "a refreshed token must be for the same user and scope";
    return false;
  }
  // In place once set: a claims() pointer held across an async step stays valid.
  if (claims_) *claims_ = std::move(*verified);
  else claims_ = std::make_unique<auth::AccessClaims>(std::move(*verified));
  token_ = std::string(token);
  sessionId_ = std::move(sessionId);
  relayed_ = true;
  return true;
}

void ClientSession::vouch(const std::string& roomId, std::optional<std::string> producer) {
  if (producer) vouched_[roomId] = std::move(*producer);
  else vouched_.erase(roomId);
}

std::optional<std::string> ClientSession::vouchedProducer(const std::string& roomId) const {
  auto it = vouched_.find(roomId);
  return it == vouched_.end() ? std::nullopt : std::optional<std::string>(it->second);
}

void ClientSession::onWsClosed(net::WsConnection&, uint16_t) {
  auto cleanups = std::move(cleanups_);
  for (auto& cleanup : cleanups) cleanup();
}

}  // namespace onair::api
