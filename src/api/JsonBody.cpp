#include "api/JsonBody.hpp"

#include <boost/json.hpp>

#include "api/HttpReply.hpp"

namespace onair::api {

std::optional<boost::json::object> jsonBody(const net::HttpRequest& request, const HttpRouter::Respond& respond) {
  if (request.body.empty()) return boost::json::object();
  boost::system::error_code ec;
  boost::json::parse_options opts;
  opts.max_depth = 32;
  auto v = boost::json::parse(request.body, ec, {}, opts);
  if (ec || !v.is_object()) {
    respond(errorReply(ApiError::invalidArgument("body must be a JSON object")));
    return std::nullopt;
  }
  return std::move(v.as_object());
}

}  // namespace onair::api
