#include "api/Reply.hpp"

#include <memory>

#include "api/HttpReply.hpp"

namespace onair::api {

Reply replyTo(Call&& call) {
  auto shared = std::make_shared<Call>(std::move(call));
  return [shared](std::variant<boost::json::value, ApiError> r) {
    if (auto* e = std::get_if<ApiError>(&r)) return shared->fail(std::move(*e));
    shared->reply(std::move(std::get<boost::json::value>(r)));
  };
}

Reply replyTo(HttpRouter::Respond respond) {
  return [respond = std::move(respond)](std::variant<boost::json::value, ApiError> r) {
    if (auto* e = std::get_if<ApiError>(&r)) return respond(errorReply(*e));
    respond(jsonReply(200, std::get<boost::json::value>(r)));
  };
}

}  // namespace onair::api
