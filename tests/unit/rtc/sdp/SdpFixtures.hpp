#pragma once
// The offers under tests/unit/rtc/sdp/fixtures/, read from the source tree (ONAIR_SOURCE_DIR).
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace onair::rtc::sdp::testing {

inline std::string readFixture(const std::string& name) {
  const auto path = std::filesystem::path(ONAIR_SOURCE_DIR) / "tests/unit/rtc/sdp/fixtures" / name;
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace onair::rtc::sdp::testing
