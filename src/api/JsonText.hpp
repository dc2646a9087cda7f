#pragma once
// A result already written as JSON text by its producer: hot paths (live heartbeat, release,
// attach) write their few fields straight to text instead of building a DOM only to serialize it
// at once. The producer guarantees `text` is exactly one JSON value; strings that come from
// clients go through appendJsonString (escaped), never pasted.
#include <boost/json/value.hpp>
#include <string>
#include <string_view>

namespace onair::api {

struct JsonText {
  std::string text;
};

// Appends `v` serialized (no intermediate string).
void appendJson(std::string& out, const boost::json::value& v);
// Appends `s` as a JSON string literal, quoted and escaped.
void appendJsonString(std::string& out, std::string_view s);

}  // namespace onair::api
