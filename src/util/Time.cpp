#include "util/Time.hpp"


namespace onair::util {

namespace {

// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's civil
// algorithm, the inverse of daysFromCivil below).
struct CivilDate {
  int64_t year;
  unsigned month, day;
};

CivilDate civilFromDays(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned day = doy - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int64_t>(yoe) + era * 400 + (month <= 2), month, day};
}

char* putDigits(char* out, int64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return out + width;
}

}  // namespace

// Formatted by hand: replies carry an expiry on every attach and heartbeat (bench/live_churn),
// and gmtime_r + fmt's chrono formatting cost more than the rest of a heartbeat.
void appendIsoTime(std::string& out, SystemTime t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  int64_t days = ms >= 0 ? ms / 86'400'000 : (ms - 86'399'999) / 86'400'000;
  int64_t msOfDay = ms - days * 86'400'000;
  CivilDate date = civilFromDays(days);
  if (date.year < 0 || date.year > 9999) {
    out += "invalid-time";
    return;
  }
  char buf[24];
  char* p = putDigits(buf, date.year, 4);
  *p++ = '-';
  p = putDigits(p, date.month, 2);
  *p++ = '-';
  p = putDigits(p, date.day, 2);
  *p++ = 'T';
  p = putDigits(p, msOfDay / 3'600'000, 2);
  *p++ = ':';
  p = putDigits(p, msOfDay / 60'000 % 60, 2);
  *p++ = ':';
  p = putDigits(p, msOfDay / 1000 % 60, 2);
  *p++ = '.';
  p = putDigits(p, msOfDay % 1000, 3);
  *p++ = 'Z';
  out.append(buf, static_cast<size_t>(p - buf));
}

std::string isoTime(SystemTime t) {
  std::string out;
  out.reserve(24);
  appendIsoTime(out, t);
  return out;
}

std::string isoTimeFromSeconds(int64_t epochSecondsValue) {
  return isoTime(SystemTime(std::chrono::seconds(epochSecondsValue)));
}

int64_t epochSeconds(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace onair::util

namespace onair::util {
namespace {

bool digits(std::string_view s, size_t pos, size_t count, int& out) {
  if (pos + count > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's civil algorithm).
int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

std::optional<int64_t> parseIsoTimeMs(std::string_view s) {
  if (s.size() < 20 || s.size() > 40) return std::nullopt;
  int y, mo, d, h, mi, sec;
  if (!digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' || !digits(s, 8, 2, d) ||
      (s[10] != 'T' && s[10] != 't') || !digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' ||
      !digits(s, 17, 2, sec)) {
    return std::nullopt;
  }
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  // Years the system clock can hold in nanoseconds (it ends in 2262), with room for offsets.
  if (y < 1970 || y > 2200) return std::nullopt;
  size_t pos = 19;
  int64_t millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    size_t start = ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (pos - start < 3) millis = millis * 10 + (s[pos] - '0');
      ++pos;
    }
    if (pos == start) return std::nullopt;
    for (size_t n = pos - start; n < 3; ++n) millis *= 10;
  }
  int64_t offsetMinutes = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' || !digits(s, pos + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offsetMinutes = (s[pos] == '+' ? 1 : -1) * (oh * 60 + om);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  int64_t days = daysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  int64_t seconds = days * 86400 + h * 3600 + mi * 60 + sec - offsetMinutes * 60;
  return seconds * 1000 + millis;
}

}  // namespace onair::util
