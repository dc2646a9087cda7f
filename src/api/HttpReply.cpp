#include "api/HttpReply.hpp"

#include <boost/json.hpp>

namespace onair::api {

net::HttpResponse jsonReply(int status, const boost::json::value& body) {
  return {status, "application/json", boost::json::serialize(body), {}};
}

net::HttpResponse errorReply(const ApiError& error) {
  boost::json::object e{{"code", toString(error.code)}, {"message", error.message}};
  if (error.retryAfterMs) e["retryAfterMs"] = *error.retryAfterMs;
  auto r = jsonReply(httpStatus(error.code), boost::json::object{{"error", std::move(e)}});
  if (error.code == ErrorCode::Unauthenticated) r.headers.emplace_back("WWW-Authenticate", "Bearer");
  if (error.retryAfterMs) r.headers.emplace_back("Retry-After", std::to_string((*error.retryAfterMs + 999) / 1000));
  return r;
}

}  // namespace onair::api
