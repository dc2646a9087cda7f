#pragma once
// The JSON object body of an HTTP API request ({} when empty). When the body is not a JSON object
// it answers 400 invalid_argument itself and returns nullopt.
#include <boost/json/object.hpp>
#include <optional>

#include "api/HttpRouter.hpp"

namespace onair::api {

std::optional<boost::json::object> jsonBody(const net::HttpRequest& request, const HttpRouter::Respond& respond);

}  // namespace onair::api
