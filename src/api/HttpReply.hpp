#pragma once
// JSON responses of the HTTP API. Every error body is {"error":{"code","message"[,"retryAfterMs"]}}.
#include <boost/json/value.hpp>

#include "api/ApiError.hpp"
#include "net/HttpMessage.hpp"

namespace onair::api {

net::HttpResponse jsonReply(int status, const boost::json::value& body);
net::HttpResponse errorReply(const ApiError& error);

}  // namespace onair::api
