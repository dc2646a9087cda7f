#pragma once
// Process-wide logging through spdlog. Contract: nothing logged may contain a token, a secret or
// an API secret; log user ids, key ids and error codes instead.
#include <spdlog/spdlog.h>

#include <string_view>

namespace onair::util {

enum class LogFormat { Text, Json };

// Installs the default logger on stdout. Text is colored when stdout is a TTY; Json writes one
// object per line: {"ts","level","msg"}.
void initLogging(LogFormat format, std::string_view level);

}  // namespace onair::util
