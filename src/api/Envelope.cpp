#include "api/Envelope.hpp"

#include "api/JsonText.hpp"

#include <boost/json.hpp>
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

// One parser per thread, reset per request: its internal stacks keep their capacity instead of
// being set up for every message.
boost::json::value parseRequest(std::string_view text, boost::system::error_code& ec) {
  thread_local boost::json::parser parser = [] {
    boost::json::parse_options opts;
    opts.max_depth = Envelope::kMaxDepth;
    return boost::json::parser({}, opts);
  }();
  parser.reset();
  parser.write(text.data(), text.size(), ec);
  if (ec) return nullptr;
  return parser.release();
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
  boost::system::error_code ec;
  // Default storage on purpose: handlers copy parts of args into long-lived state (presence,
  // metadata), and a copy shares its source's storage, so a per-request arena would be kept
  // alive by those copies.
  boost::json::value root = parseRequest(text, ec);
  if (ec) return invalid(nullptr, "request is not valid JSON: " + ec.message());
  auto* obj = root.if_object();
  if (!obj) return invalid(nullptr, "request must be a JSON object");
  auto idIt = obj->find("id");
  if (idIt == obj->end()) return invalid(nullptr, "request has no id");
  if (!validId(idIt->value())) return invalid(nullptr, "id must be a non-negative integer or a string of at most 64 bytes");
  Request req;
  req.id = idIt->value();
  auto opIt = obj->find("op");
  if (opIt == obj->end() || !opIt->value().is_string()) return invalid(req.id, "request has no op (a string)");
  std::string_view op = opIt->value().as_string();
  if (!validOp(op)) return invalid(req.id, "op must be 1 to 64 characters of [A-Za-z0-9._]");
  req.op = op;
  if (auto argsIt = obj->find("args"); argsIt != obj->end() && !argsIt->value().is_null()) {
    if (!argsIt->value().is_object()) return invalid(req.id, "args must be an object");
    if (!allFinite(argsIt->value())) return invalid(req.id, "args holds a number too large for JSON");
    req.args = std::move(argsIt->value().as_object());
  }
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
