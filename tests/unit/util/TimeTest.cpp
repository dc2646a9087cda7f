#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>

#include "util/Time.hpp"

namespace onair::util {
namespace {

SystemTime fromMs(int64_t ms) { return SystemTime(std::chrono::milliseconds(ms)); }

TEST(IsoTime, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(isoTime(fromMs(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(isoTime(fromMs(1795341600123)), "2026-11-22T10:00:00.123Z");
  EXPECT_EQ(isoTime(fromMs(951782400000)), "2000-02-29T00:00:00.000Z");  // leap day of a 400-year
  EXPECT_EQ(isoTime(fromMs(4107542399999)), "2100-02-28T23:59:59.999Z");  // 2100 is no leap year
  EXPECT_EQ(isoTime(fromMs(-1)), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(isoTimeFromSeconds(1795341600), "2026-11-22T10:00:00.000Z");
}

TEST(IsoTime, RoundTripsThroughTheParserOverTwoCenturies) {
  // One instant every ~37 days and a few hours, so every month, leap day and hour shows up.
  for (int64_t ms = 0; ms < 7'000'000'000'000; ms += 3'210'987'654'321 / 1000) {
    auto text = isoTime(fromMs(ms));
    ASSERT_EQ(parseIsoTimeMs(text), ms) << text;
  }
}

}  // namespace
}  // namespace onair::util
