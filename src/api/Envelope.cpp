#include "api/Envelope.hpp"

#include "api/JsonText.hpp"
#include "api/RequestReader.hpp"

#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <cmath>

namespace onair::api {
namespace {

bool validId(const boost::json::value& id) {
  if (id.is_uint64()) return true;
  if (id.is_int64()) return id.as_int64() >= 0;
  if (id.is_string()) return id.as_string().size() <= Envelope::kMaxIdBytes;
  return false;
}

bool validOp(std::string_view op) {
  if (op.empty() || op.size() > Envelope::kMaxOpBytes) return false;
  for (char c : op) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// Boost.JSON 1.81 parses 1e400 as infinity and would serialize it as `Infinity`, which is not
// JSON: such numbers are refused at the door so no reply or event can carry one.
bool allFinite(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::double_:
      return std::isfinite(v.get_double());
    case boost::json::kind::array:
      for (const auto& e : v.get_array()) {
        if (!allFinite(e)) return false;
      }
      return true;
    case boost::json::kind::object:
      for (const auto& [k, e] : v.get_object()) {
        if (!allFinite(e)) return false;
      }
      return true;
    default:
      return true;
  }
}

// One parser per thread, reset per message: its stacks keep their capacity.
boost::json::basic_parser<RequestReader>& requestParser() {
  thread_local boost::json::basic_parser<RequestReader> parser = [] {
    boost::json::parse_options opts;
    opts.max_depth = Envelope::kMaxDepth;
    return boost::json::basic_parser<RequestReader>(opts);
  }();
  return parser;
}

// `{"id":<id>,"result":` — what every reply starts with.
void appendResultHead(std::string& out, const boost::json::value& id) {
  out += R"({"id":)";
  appendJson(out, id);
  out += R"(,"result":)";
}

EnvelopeError invalid(boost::json::value id, std::string message) {
  return {std::move(id), ApiError::invalidArgument(std::move(message))};
}

}  // namespace

std::variant<Request, EnvelopeError> Envelope::decode(std::string_view text) {
  using Shape = RequestReader::Shape;
  auto& parser = requestParser();
  parser.reset();
  boost::system::error_code ec;
  const size_t used = parser.write_some(false, text.data(), text.size(), ec);
  if (!ec && used < text.size()) ec = boost::json::error::extra_data;
  if (ec) return invalid(nullptr, "request is not valid JSON: " + ec.message());
  // The checks below run in the order a reader of the message would: the first failing one answers.
  RequestReader& r = parser.handler();
  if (!r.rootIsObject) return invalid(nullptr, "request must be a JSON object");
  if (r.id == Shape::Absent) return invalid(nullptr, "request has no id");
  const bool idUsable = (r.id == Shape::String || r.id == Shape::Integer) && validId(r.idValue);
  if (!idUsable) return invalid(nullptr, "id must be a non-negative integer or a string of at most 64 bytes");
  Request req;
  req.id = std::move(r.idValue);
  if (r.op != Shape::String) return invalid(std::move(req.id), "request has no op (a string)");
  if (!validOp(r.opText)) return invalid(std::move(req.id), "op must be 1 to 64 characters of [A-Za-z0-9._]");
  req.op = r.opText;
  if (r.args == Shape::Absent || r.args == Shape::Null) return req;
  if (r.args != Shape::Object) return invalid(std::move(req.id), "args must be an object");
  if (r.argsSawInfinity && !allFinite(r.argsValue)) return invalid(std::move(req.id), "args holds a number too large for JSON");
  req.args = std::move(r.argsValue.as_object());
  return req;
}

std::string Envelope::result(const boost::json::value& id, const boost::json::value& result) {
  std::string out;
  out.reserve(128);
  appendResult(out, id, result);
  return out;
}

void Envelope::appendResult(std::string& out, const boost::json::value& id, const boost::json::value& result) {
  appendResultHead(out, id);
  appendJson(out, result);
  out += '}';
}

void Envelope::appendResultText(std::string& out, const boost::json::value& id, std::string_view resultJson) {
  appendResultHead(out, id);
  out += resultJson;
  out += '}';
}

std::string Envelope::error(const boost::json::value& id, const ApiError& error) {
  boost::json::object e;
  e["code"] = toString(error.code);
  e["message"] = error.message;
  if (error.retryAfterMs) e["retryAfterMs"] = *error.retryAfterMs;
  boost::json::object o;
  o["id"] = id;
  o["error"] = std::move(e);
  return boost::json::serialize(o);
}

std::string Envelope::event(std::string_view event, std::string_view target, const boost::json::value& data) {
  std::string out;
  out.reserve(128);
  out += R"({"event":)";
  appendJsonString(out, event);
  out += R"(,"target":)";
  appendJsonString(out, target);
  out += R"(,"data":)";
  appendJson(out, data);
  out += '}';
  return out;
}

}  // namespace onair::api
