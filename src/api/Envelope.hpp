#pragma once
// The JSON envelope of the client protocol (docs/protocol.md). Pure: text in, a request or an
// error out; encoders produce the text of replies and events.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <variant>

#include "api/ApiError.hpp"

namespace onair::api {

struct Request {
  boost::json::value id;  // non-negative integer or string ≤ 64 bytes
  std::string op;
  boost::json::object args;
};

struct EnvelopeError {
  boost::json::value id;  // null when no usable id could be read
  ApiError error;
};

class Envelope {
 public:
  static constexpr size_t kMaxIdBytes = 64;
  static constexpr size_t kMaxOpBytes = 64;
  static constexpr size_t kMaxDepth = 32;

  static std::variant<Request, EnvelopeError> decode(std::string_view text);

  static std::string result(const boost::json::value& id, const boost::json::value& result);
  // The same text appended to `out` (a buffer whose capacity is reused).
  static void appendResult(std::string& out, const boost::json::value& id, const boost::json::value& result);
  // A reply whose result is already JSON text (see JsonText).
  static void appendResultText(std::string& out, const boost::json::value& id, std::string_view resultJson);
  static std::string error(const boost::json::value& id, const ApiError& error);
  static std::string event(std::string_view event, std::string_view target, const boost::json::value& data);
};

}  // namespace onair::api
