#include "api/ArgReader.hpp"

#include <fmt/format.h>

namespace onair::api {

namespace {
const boost::json::value kNull;
}

const boost::json::value* ArgReader::find(const char* field) const {
  auto it = args_.find(field);
  return it == args_.end() || it->value().is_null() ? nullptr : &it->value();
}

void ArgReader::fail(std::string message) {
  if (!error_) error_ = ApiError::invalidArgument(std::move(message));
}

std::string ArgReader::string(const char* field, size_t minBytes, size_t maxBytes) {
  const auto* v = find(field);
  if (!v || !v->is_string()) {
    fail(fmt::format("{} is required (a string)", field));
    return {};
  }
  std::string_view s = v->get_string();
  if (s.size() < minBytes || s.size() > maxBytes) {
    fail(fmt::format("{} must be {} to {} bytes", field, minBytes, maxBytes));
    return {};
  }
  return std::string(s);
}

std::optional<std::string> ArgReader::optionalString(const char* field, size_t maxBytes) {
  const auto* v = find(field);
  if (!v) return std::nullopt;
  if (!v->is_string() || v->get_string().size() > maxBytes || v->get_string().empty()) {
    fail(fmt::format("{} must be a string of 1 to {} bytes", field, maxBytes));
    return std::nullopt;
  }
  return std::string(v->get_string());
}

std::optional<int64_t> ArgReader::optionalInteger(const char* field, int64_t min, int64_t max) {
  const auto* v = find(field);
  if (!v) return std::nullopt;
  int64_t n = 0;
  if (v->is_int64()) n = v->get_int64();
  else if (v->is_uint64() && v->get_uint64() <= static_cast<uint64_t>(INT64_MAX)) n = static_cast<int64_t>(v->get_uint64());
  else {
    fail(fmt::format("{} must be an integer from {} to {}", field, min, max));
    return std::nullopt;
  }
  if (n < min || n > max) {
    fail(fmt::format("{} must be an integer from {} to {}", field, min, max));
    return std::nullopt;
  }
  return n;
}

int64_t ArgReader::integer(const char* field, int64_t min, int64_t max, int64_t fallback) {
  return optionalInteger(field, min, max).value_or(fallback);
}

const boost::json::value& ArgReader::any(const char* field) {
  const auto* v = find(field);
  return v ? *v : kNull;
}

const boost::json::object* ArgReader::optionalObject(const char* field) {
  const auto* v = find(field);
  if (!v) return nullptr;
  if (!v->is_object()) {
    fail(fmt::format("{} must be an object", field));
    return nullptr;
  }
  return &v->get_object();
}

std::string ArgReader::choice(const char* field, std::initializer_list<const char*> choices, const char* fallback) {
  const auto* v = find(field);
  if (!v) return fallback;
  if (v->is_string()) {
    for (const char* c : choices) {
      if (v->get_string() == c) return c;
    }
  }
  fail(fmt::format("{} must be one of: {}", field, fmt::join(choices, ", ")));
  return fallback;
}

}  // namespace onair::api
