#include "engine/redis/cluster/ClusterRedirect.hpp"

#include <charconv>

#include "engine/redis/cluster/HashSlot.hpp"

namespace onair::engine::redis::cluster {

namespace {

// A decimal number in [0, max], digits only.
std::optional<unsigned> number(std::string_view digits, unsigned max) {
  unsigned value = 0;
  if (digits.empty() || digits.size() > 5) return std::nullopt;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || value > max) return std::nullopt;
  return value;
}

// Splits off the word before the next space.
std::string_view nextWord(std::string_view& text) {
  const size_t space = text.find(' ');
  const std::string_view word = text.substr(0, space);
  text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
  return word;
}

}  // namespace

std::optional<ClusterRedirect> ClusterRedirect::parse(std::string_view text) {
  if (text.size() > kMaxBytes) return std::nullopt;
  ClusterRedirect out;
  const std::string_view verb = nextWord(text);
  if (verb == "ASK") out.kind = Kind::Ask;
  else if (verb != "MOVED") return std::nullopt;
  const auto slot = number(nextWord(text), HashSlot::kSlots - 1);
  if (!slot) return std::nullopt;
  out.slot = static_cast<uint16_t>(*slot);
  // The rest is "<host>:<port>", nothing after it.
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || text.find(' ') != std::string_view::npos) return std::nullopt;
  const auto port = number(text.substr(colon + 1), 65535);
  if (!port || *port == 0) return std::nullopt;
  out.target.host = std::string(text.substr(0, colon));
  out.target.port = static_cast<uint16_t>(*port);
  return out;
}

}  // namespace onair::engine::redis::cluster
