#include "api/JsonText.hpp"

#include <boost/json/serializer.hpp>
#include <boost/json/string_view.hpp>

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

void appendJson(std::string& out, const boost::json::value& v) { serializeOnto(out, &v); }

void appendJsonString(std::string& out, std::string_view s) { serializeOnto(out, boost::json::string_view(s)); }

}  // namespace onair::api
