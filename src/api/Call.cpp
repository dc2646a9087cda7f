#include "api/Call.hpp"

#include "api/ClientSession.hpp"
#include "api/Envelope.hpp"

namespace onair::api {

Call::Call(std::shared_ptr<ClientSession> session, boost::json::value id, std::string op, boost::json::object args)
    : session_(std::move(session)), id_(std::move(id)), op_(std::move(op)), args_(std::move(args)) {}

Call::~Call() {
  if (session_ && !answered_) fail({ErrorCode::Internal, "the server dropped this request without an answer", std::nullopt});
}

namespace {

// One buffer per thread for a reply's text: it is sent (copied into the frame, or into the task
// that carries it to the session's loop) before the reply call returns.
std::string& replyScratch() {
  thread_local std::string text;
  text.clear();
  return text;
}

}  // namespace

void Call::reply(boost::json::value result) {
  if (answered_ || !session_) return;
  std::string& text = replyScratch();
  Envelope::appendResult(text, id_, result);
  send(text, "ok", false);
}

void Call::replyText(std::string_view resultJson) {
  if (answered_ || !session_) return;
  std::string& text = replyScratch();
  Envelope::appendResultText(text, id_, resultJson);
  send(text, "ok", false);
}

void Call::fail(ApiError error) {
  const bool clientMistake = error.code == ErrorCode::InvalidArgument || error.code == ErrorCode::UnknownOp;
  send(Envelope::error(id_, error), toString(error.code), clientMistake);
}

void Call::send(std::string_view text, std::string_view outcome, bool clientMistake) {
  if (answered_ || !session_) return;
  answered_ = true;
  // Unknown ops share one label: client-chosen strings must not mint metric series.
  std::string_view label = outcome == toString(ErrorCode::UnknownOp) ? std::string_view("unknown") : std::string_view(op_);
  // Replies leave from the session's own loop, whichever thread the handler finished on.
  // Session state (bad-request counts, the connection) is touched only on the session's loop.
  if (session_->loop().isCurrentThread()) return deliver(*session_, label, outcome, text, clientMistake);
  session_->loop().post([session = session_, op = std::string(label), text = std::string(text), outcome = std::string(outcome), clientMistake] {
    deliver(*session, op, outcome, text, clientMistake);
  });
}

void Call::deliver(ClientSession& session, std::string_view op, std::string_view outcome, std::string_view text, bool clientMistake) {
  session.loop().metrics().countRequest(op, outcome);
  session.sendText(text);
  if (clientMistake) session.countBadRequest();
}

}  // namespace onair::api
