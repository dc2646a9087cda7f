#include "util/Log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <unistd.h>

#include "util/JsonLogFormatter.hpp"

namespace onair::util {

void initLogging(LogFormat format, std::string_view level) {
  std::shared_ptr<spdlog::logger> logger;
  if (format == LogFormat::Text && isatty(STDOUT_FILENO)) {
    logger = spdlog::stdout_color_mt("onair");
  } else {
    logger = spdlog::stdout_logger_mt("onair");
  }
  if (format == LogFormat::Json) {
    logger->set_formatter(std::make_unique<JsonLogFormatter>());
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ %v");
  }
  logger->set_level(spdlog::level::from_str(std::string(level)));
  // Flush each line at info and above: operators tail these, and tests read the listen line.
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace onair::util
