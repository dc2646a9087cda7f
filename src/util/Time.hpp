#pragma once
// Wall-clock helpers for the wire: ISO-8601 UTC strings with milliseconds, epoch seconds.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace onair::util {

using SystemTime = std::chrono::system_clock::time_point;

// "2026-11-22T09:00:00.000Z"
std::string isoTime(SystemTime t);
// The same text appended to `out` (no string of its own: replies write it in place).
void appendIsoTime(std::string& out, SystemTime t);
std::string isoTimeFromSeconds(int64_t epochSeconds);
int64_t epochSeconds(SystemTime t = std::chrono::system_clock::now());

// Parses ISO-8601 / RFC 3339 date-times from clients: "YYYY-MM-DDTHH:MM:SS[.fff…](Z|±HH:MM)".
// Years 1970–2200 only. Pure and bounded (≤ 40 bytes); nullopt on anything else. Returns ms
// since the Unix epoch.
std::optional<int64_t> parseIsoTimeMs(std::string_view text);

}  // namespace onair::util
