#pragma once
// How a surface answers a request it handles asynchronously: a value (a DOM, or JSON text the
// surface wrote itself) or an ApiError, from any thread, once. replyTo() adapts the two kinds of
// caller: a client Call and an HTTP respond.
#include <boost/json/value.hpp>
#include <functional>
#include <variant>

#include "api/ApiError.hpp"
#include "api/Call.hpp"
#include "api/HttpRouter.hpp"
#include "api/JsonText.hpp"

namespace onair::api {

using Result = std::variant<boost::json::value, ApiError, JsonText>;
using Reply = std::function<void(Result)>;

Reply replyTo(Call&& call);
Reply replyTo(HttpRouter::Respond respond);

}  // namespace onair::api
