#pragma once
// Request targets of the HTTP API as client-op args: the query string as an args object, and
// the percent-decoded path segments, so routes check them with ArgReader like any op's args.
#include <boost/json/object.hpp>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

namespace onair::api {

struct QueryArgs {
  // Query parameters as an args object: values are strings, except those named in
  // `integerKeys` that hold a decimal integer, which become numbers. Bytes RFC 3986 does not allow
  // unencoded ('|', '[', UTF-8 …, as browsers send them) are taken as they are. nullopt when a '%'
  // starts no escape (two hex digits): no parameter is taken, rather than some silently dropped.
  static std::optional<boost::json::object> parse(const std::string& query,
                                                  std::initializer_list<const char*> integerKeys = {"limit"});
  // The percent-decoded path segments after the first `skip` ("/v1/rooms/a%3Ab/x", 2 → ["a:b","x"]).
  static std::vector<std::string> segments(const std::string& path, size_t skip);
};

}  // namespace onair::api
