#pragma once
// spdlog formatter writing one JSON object per line: {"ts":"…","level":"…","msg":"…"}.
#include <spdlog/formatter.h>

namespace onair::util {

class JsonLogFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;
};

}  // namespace onair::util
