#include "util/Time.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace onair::util {

std::string isoTime(SystemTime t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  int64_t secs = ms / 1000;
  int64_t millis = ms % 1000;
  if (millis < 0) {
    millis += 1000;
    secs -= 1;
  }
  std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", tm, millis);
}

std::string isoTimeFromSeconds(int64_t epochSecondsValue) {
  return isoTime(SystemTime(std::chrono::seconds(epochSecondsValue)));
}

int64_t epochSeconds(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace onair::util
