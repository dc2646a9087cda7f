#include "rtc/sdp/Direction.hpp"

namespace onair::rtc::sdp {

std::string_view directionName(Direction direction) {
  switch (direction) {
    case Direction::SendRecv: return "sendrecv";
    case Direction::SendOnly: return "sendonly";
    case Direction::RecvOnly: return "recvonly";
    case Direction::Inactive: return "inactive";
  }
  return "sendrecv";
}

std::optional<Direction> parseDirection(std::string_view name) {
  for (Direction d : {Direction::SendRecv, Direction::SendOnly, Direction::RecvOnly, Direction::Inactive}) {
    if (directionName(d) == name) return d;
  }
  return std::nullopt;
}

Direction mirrored(Direction direction) {
  switch (direction) {
    case Direction::SendOnly: return Direction::RecvOnly;
    case Direction::RecvOnly: return Direction::SendOnly;
    default: return direction;
  }
}

}  // namespace onair::rtc::sdp
