#include "util/JsonLogFormatter.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <spdlog/details/log_msg.h>

#include "util/Time.hpp"

namespace onair::util {

void JsonLogFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  auto append = [&dest](std::string_view s) { dest.append(s.data(), s.data() + s.size()); };
  append("{\"ts\":\"");
  append(isoTime(msg.time));
  append("\",\"level\":\"");
  auto level = spdlog::level::to_string_view(msg.level);
  append(std::string_view(level.data(), level.size()));
  append("\",\"msg\":");
  // boost::json escapes control characters and quotes for us.
  append(boost::json::serialize(boost::json::string(std::string_view(msg.payload.data(), msg.payload.size()))));
  append("}\n");
}

std::unique_ptr<spdlog::formatter> JsonLogFormatter::clone() const {
  return std::make_unique<JsonLogFormatter>();
}

}  // namespace onair::util
