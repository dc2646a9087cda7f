#pragma once
// A media section's direction attribute (RFC 8866 §6.7), from the point of view of whoever wrote
// the description: sendonly in an offer means the offerer sends.
#include <cstdint>
#include <optional>
#include <string_view>

namespace onair::rtc::sdp {

enum class Direction : uint8_t { SendRecv, SendOnly, RecvOnly, Inactive };

// "sendrecv", "sendonly", "recvonly", "inactive".
std::string_view directionName(Direction direction);
std::optional<Direction> parseDirection(std::string_view name);
// The answerer's side of an offered direction (RFC 3264 §6.1): sendonly ↔ recvonly.
Direction mirrored(Direction direction);

}  // namespace onair::rtc::sdp
