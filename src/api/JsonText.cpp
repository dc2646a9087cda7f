#include "api/JsonText.hpp"

#include <boost/json/serializer.hpp>
#include <boost/json/string_view.hpp>
#include <charconv>

namespace onair::api {
namespace {

template <class T>
void serializeOnto(std::string& out, const T& v) {
  boost::json::serializer sr;
  sr.reset(v);
  char buf[1024];
  while (!sr.done()) out.append(sr.read(buf));
}

}  // namespace

void appendJson(std::string& out, const boost::json::value& v) {
  // Request ids are integers: written directly, without setting up a serializer.
  char digits[24];
  if (v.is_uint64() || v.is_int64()) {
    auto r = v.is_uint64() ? std::to_chars(digits, digits + sizeof digits, v.get_uint64())
                           : std::to_chars(digits, digits + sizeof digits, v.get_int64());
    out.append(digits, r.ptr);
    return;
  }
  serializeOnto(out, &v);
}

void appendJsonString(std::string& out, std::string_view s) { serializeOnto(out, boost::json::string_view(s)); }

}  // namespace onair::api
