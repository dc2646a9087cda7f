// libFuzzer target for onair::api::Envelope, the JSON envelope of the client protocol.
//
// The input is the text of one client message. A decoded request must satisfy the documented
// id/op rules, and the replies built from it must be JSON that parses back to the same values.
// Envelope reads messages with a streaming handler (api::RequestReader); every outcome is also
// checked against the same rules applied to Boost.JSON's DOM of the message (the reference).
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <cmath>
#include <string>
#include <string_view>
#include <variant>

#include "api/Envelope.hpp"
#include "FuzzCheck.hpp"

using onair::api::Envelope;
using onair::api::EnvelopeError;
using onair::api::Request;

namespace {

bool idOk(const boost::json::value& id) {
  if (id.is_uint64()) return true;
  if (id.is_int64()) return id.as_int64() >= 0;
  if (id.is_string()) return id.as_string().size() <= Envelope::kMaxIdBytes;
  return false;
}

bool opOk(std::string_view op) {
  if (op.empty() || op.size() > Envelope::kMaxOpBytes) return false;
  for (char c : op) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && c != '.' && c != '_') return false;
  }
  return true;
}

// The envelope rules applied to a DOM: the error message, or empty for a request.
bool finite(const boost::json::value& v) {
  if (v.is_double()) return std::isfinite(v.get_double());
  if (v.is_array()) {
    for (const auto& e : v.get_array()) {
      if (!finite(e)) return false;
    }
  }
  if (v.is_object()) {
    for (const auto& [k, e] : v.get_object()) {
      if (!finite(e)) return false;
    }
  }
  return true;
}

std::string referenceError(std::string_view text, boost::json::value& root) {
  boost::json::parse_options opts;
  opts.max_depth = Envelope::kMaxDepth;
  boost::system::error_code ec;
  root = boost::json::parse(text, ec, {}, opts);
  if (ec) return "request is not valid JSON: " + ec.message();
  if (!root.is_object()) return "request must be a JSON object";
  const auto& o = root.as_object();
  if (!o.contains("id")) return "request has no id";
  if (!idOk(o.at("id"))) return "id must be a non-negative integer or a string of at most 64 bytes";
  if (!o.contains("op") || !o.at("op").is_string()) return "request has no op (a string)";
  if (!opOk(o.at("op").as_string())) return "op must be 1 to 64 characters of [A-Za-z0-9._]";
  if (!o.contains("args") || o.at("args").is_null()) return {};
  if (!o.at("args").is_object()) return "args must be an object";
  if (!finite(o.at("args"))) return "args holds a number too large for JSON";
  return {};
}

// Parses an encoder's output; it must be a JSON object. The envelope wraps a value already
// nested up to kMaxDepth, so allow a few more levels than the decoder does.
boost::json::object reparse(const std::string& text) {
  boost::json::parse_options opts;
  opts.max_depth = Envelope::kMaxDepth + 8;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec, {}, opts);
  check(!ec);
  check(v.is_object());
  return std::move(v.as_object());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto decoded = Envelope::decode(text);
  boost::json::value root;
  const std::string expectedError = referenceError(text, root);
  check(expectedError.empty() == std::holds_alternative<Request>(decoded));

  if (auto* req = std::get_if<Request>(&decoded)) {
    const auto& dom = root.as_object();
    check(req->id == dom.at("id"));
    check(req->op == std::string_view(dom.at("op").as_string()));
    const bool hasArgs = dom.contains("args") && !dom.at("args").is_null();
    check(hasArgs ? boost::json::value(req->args) == dom.at("args") : req->args.empty());
    check(idOk(req->id));
    check(opOk(req->op));
    // A result echoing the args must be valid JSON carrying the same id and value.
    const std::string reply = Envelope::result(req->id, req->args);
    boost::json::object o = reparse(reply);
    check(o.size() == 2);
    check(o.contains("id") && o.at("id") == req->id);
    check(o.contains("result") && o.at("result").is_object() && o.at("result").as_object().size() == req->args.size());
    // The reply carries exactly the serialized args. (Comparing reparsed values would fail on
    // Boost.JSON 1.81's imprecise parse of huge integers into doubles, which is not our bug.)
    check(reply == R"({"id":)" + boost::json::serialize(req->id) + R"(,"result":)" + boost::json::serialize(req->args) + "}");
    // So must an event named after the op.
    boost::json::object ev = reparse(Envelope::event(req->op, req->op, req->args));
    check(ev.at("event").is_string() && ev.at("event").as_string() == req->op);
    return 0;
  }

  auto& err = std::get<EnvelopeError>(decoded);
  // An error reply's id is either null (no usable id) or a valid one.
  check(err.id.is_null() || idOk(err.id));
  check(err.error.message == expectedError);
  // The id is echoed once it was readable.
  check(err.id.is_null() || err.id == root.as_object().at("id"));
  boost::json::object o = reparse(Envelope::error(err.id, err.error));
  check(o.contains("id") && o.at("id") == err.id);
  check(o.contains("error") && o.at("error").is_object());
  const auto& e = o.at("error").as_object();
  check(e.contains("code") && e.at("code").is_string() && e.at("code").as_string() == "invalid_argument");
  check(e.contains("message") && e.at("message").is_string());
  return 0;
}
