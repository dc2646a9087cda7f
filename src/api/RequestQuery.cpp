#include "api/RequestQuery.hpp"

#include "api/HttpReply.hpp"
#include "api/QueryArgs.hpp"

namespace onair::api {

std::optional<boost::json::object> requestQuery(const net::HttpRequest& request, const HttpRouter::Respond& respond,
                                                std::initializer_list<const char*> integerKeys) {
  auto args = QueryArgs::parse(request.query, integerKeys);
  if (!args) {
    respond(errorReply(ApiError::invalidArgument(
        "the query string is malformed: percent-encode its values (a % must start an escape like %3A)")));
  }
  return args;
}

}  // namespace onair::api
