#pragma once
// Wall-clock helpers for the wire: ISO-8601 UTC strings with milliseconds, epoch seconds.
#include <chrono>
#include <cstdint>
#include <string>

namespace onair::util {

using SystemTime = std::chrono::system_clock::time_point;

// "2026-11-22T09:00:00.000Z"
std::string isoTime(SystemTime t);
std::string isoTimeFromSeconds(int64_t epochSeconds);
int64_t epochSeconds(SystemTime t = std::chrono::system_clock::now());

}  // namespace onair::util
