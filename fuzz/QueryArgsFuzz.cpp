// fuzz_query_args: request targets as args (api/QueryArgs, over Boost.URL), the parser the HTTP
// API and the Yjs upgrade (`/v1/yjs/<room>?token=`) use. Invariants: parse and segments never
// crash on any bytes; parse yields args or nullopt (only when a '%' starts no escape), strings and
// a number only for an integer key; segments after
// `skip` are at most the path's slashes; a value percent-encoded into a query parses back to the
// same bytes, and so does a percent-encoded path segment.
#include <boost/url/encode.hpp>
#include <boost/url/rfc/pchars.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "api/QueryArgs.hpp"
#include "FuzzCheck.hpp"

using onair::api::QueryArgs;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  if (const auto args = QueryArgs::parse(input)) {
    for (const auto& entry : *args) {
      check(entry.value().is_string() || (entry.value().is_int64() && entry.key() == "limit"));
    }
  } else {
    check(input.find('%') != std::string::npos);
  }
  const size_t skip = size == 0 ? 0 : data[0] % 4;
  const auto segments = QueryArgs::segments(input, skip);
  check(segments.size() <= static_cast<size_t>(std::count(input.begin(), input.end(), '/')));

  const std::string value = boost::urls::encode(input, boost::urls::unreserved_chars);
  const auto back = QueryArgs::parse("token=" + value + "&room=x");
  check(back && back->contains("token") && back->at("token").as_string() == input && back->at("room").as_string() == "x");
  const std::string path = "/v1/yjs/" + boost::urls::encode(input, boost::urls::unreserved_chars);
  const auto parts = QueryArgs::segments(path, 2);
  check(parts.size() == 1 && parts[0] == input);
  return 0;
}
