#include "api/Reply.hpp"

#include <memory>

#include "api/HttpReply.hpp"

namespace onair::api {

Reply replyTo(Call&& call) {
  auto shared = std::make_shared<Call>(std::move(call));
  return [shared](Result r) {
    if (auto* e = std::get_if<ApiError>(&r)) return shared->fail(std::move(*e));
    if (auto* t = std::get_if<JsonText>(&r)) return shared->replyText(t->text);
    shared->reply(std::move(std::get<boost::json::value>(r)));
  };
}

Reply replyTo(HttpRouter::Respond respond) {
  return [respond = std::move(respond)](Result r) {
    if (auto* e = std::get_if<ApiError>(&r)) return respond(errorReply(*e));
    if (auto* t = std::get_if<JsonText>(&r)) return respond({200, "application/json", std::move(t->text), {}});
    respond(jsonReply(200, std::get<boost::json::value>(r)));
  };
}

}  // namespace onair::api
