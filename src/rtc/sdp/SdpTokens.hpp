#pragma once
// Text helpers shared by the SDP parser and the candidate parser: splitting on spaces and reading
// bounded decimal numbers with nothing left over. Header-only and allocation-free.
#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace onair::rtc::sdp {

class SdpTokens {
 public:
  explicit SdpTokens(std::string_view text) : rest_(text) {}

  // The next run of non-space characters; empty when none is left.
  std::string_view next() {
    skipSpaces();
    const size_t end = rest_.find(' ');
    const std::string_view token = rest_.substr(0, end);
    rest_.remove_prefix(token.size());
    return token;
  }
  // What is left after the spaces that follow the last token, verbatim.
  std::string_view rest() {
    skipSpaces();
    return rest_;
  }
  bool done() {
    skipSpaces();
    return rest_.empty();
  }

  // A decimal number in [min, max] spelled with digits only; nullopt otherwise.
  template <typename T>
  static std::optional<T> number(std::string_view text, uint64_t min, uint64_t max) {
    if (text.empty() || text.size() > 20) return std::nullopt;
    uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) return std::nullopt;
    return static_cast<T>(value);
  }

 private:
  void skipSpaces() {
    while (!rest_.empty() && rest_.front() == ' ') rest_.remove_prefix(1);
  }
  std::string_view rest_;
};

}  // namespace onair::rtc::sdp
