#pragma once
// Reads and checks request arguments, naming the first bad field in an `invalid_argument`
// error. Usage: read every field, then `if (auto e = args.error()) return call.fail(*e);`.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "api/ApiError.hpp"

namespace onair::api {

class ArgReader {
 public:
  explicit ArgReader(const boost::json::object& args) : args_(args) {}

  // A required string of minBytes..maxBytes.
  std::string string(const char* field, size_t minBytes = 1, size_t maxBytes = 255);
  std::optional<std::string> optionalString(const char* field, size_t maxBytes = 255);
  // An integer in [min, max]; `fallback` when absent.
  int64_t integer(const char* field, int64_t min, int64_t max, int64_t fallback);
  std::optional<int64_t> optionalInteger(const char* field, int64_t min, int64_t max);
  // Any JSON value (absent → null).
  const boost::json::value& any(const char* field);
  // An object (absent → nullptr without error).
  const boost::json::object* optionalObject(const char* field);
  // One of the listed words; `fallback` when absent.
  std::string choice(const char* field, std::initializer_list<const char*> choices, const char* fallback);

  void fail(std::string message);
  const std::optional<ApiError>& error() const { return error_; }

 private:
  const boost::json::value* find(const char* field) const;

  const boost::json::object& args_;
  std::optional<ApiError> error_;
};

}  // namespace onair::api
