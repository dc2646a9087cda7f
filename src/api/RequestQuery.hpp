#pragma once
// The query string of an HTTP API request as args (QueryArgs::parse). When it is malformed (a '%'
// that starts no escape) it answers 400 invalid_argument itself and returns nullopt, as jsonBody
// does for bodies.
#include <boost/json/object.hpp>
#include <initializer_list>
#include <optional>

#include "api/HttpRouter.hpp"

namespace onair::api {

std::optional<boost::json::object> requestQuery(const net::HttpRequest& request, const HttpRouter::Respond& respond,
                                                std::initializer_list<const char*> integerKeys = {"limit"});

}  // namespace onair::api
