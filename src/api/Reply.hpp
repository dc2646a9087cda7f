#pragma once
// How a surface answers a request it handles asynchronously: a value or an ApiError, from any
// thread, once. replyTo() adapts the two kinds of caller: a client Call and an HTTP respond.
#include <boost/json/value.hpp>
#include <functional>
#include <variant>

#include "api/ApiError.hpp"
#include "api/Call.hpp"
#include "api/HttpRouter.hpp"

namespace onair::api {

using Reply = std::function<void(std::variant<boost::json::value, ApiError>)>;

Reply replyTo(Call&& call);
Reply replyTo(HttpRouter::Respond respond);

}  // namespace onair::api
