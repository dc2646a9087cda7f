#include "api/Call.hpp"

#include "api/ClientSession.hpp"
#include "api/Envelope.hpp"

namespace onair::api {

Call::Call(std::shared_ptr<ClientSession> session, boost::json::value id, std::string op, boost::json::object args)
    : session_(std::move(session)), id_(std::move(id)), op_(std::move(op)), args_(std::move(args)) {}

Call::~Call() {
  if (session_ && !answered_) fail({ErrorCode::Internal, "the server dropped this request without an answer", std::nullopt});
}

void Call::reply(boost::json::value result) { send(Envelope::result(id_, result), "ok"); }

void Call::fail(ApiError error) {
  if (error.code == ErrorCode::InvalidArgument || error.code == ErrorCode::UnknownOp) session_->countBadRequest();
  send(Envelope::error(id_, error), toString(error.code));
}

void Call::send(std::string text, std::string_view outcome) {
  if (answered_ || !session_) return;
  answered_ = true;
  // Unknown ops share one label: client-chosen strings must not mint metric series.
  std::string label = outcome == toString(ErrorCode::UnknownOp) ? std::string("unknown") : op_;
  auto& loop = session_->loop();
  // Replies leave from the session's own loop, whichever thread the handler finished on.
  if (loop.io().get_executor().running_in_this_thread()) {
    loop.metrics().countRequest(label, outcome);
    session_->sendText(text);
    return;
  }
  loop.post([session = session_, op = std::move(label), text = std::move(text), outcome = std::string(outcome)] {
    session->loop().metrics().countRequest(op, outcome);
    session->sendText(text);
  });
}

}  // namespace onair::api
