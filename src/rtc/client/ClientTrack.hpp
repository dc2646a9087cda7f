#pragma once
// One m= section of a client's offer: a track it sends (sendonly, with the SSRC it will use) or a
// slot to receive one (recvonly; the answer says which SSRC arrives in it).
#include <cstdint>
#include <string>

namespace onair::rtc::client {

struct ClientTrack {
  enum class Kind : uint8_t { Audio, Video };
  enum class Direction : uint8_t { Send, Receive };

  Kind kind = Kind::Video;
  Direction direction = Direction::Send;
  std::string mid;      // unique in the offer: "0", "1", …
  uint32_t ssrc = 0;    // the SSRC sent (Send only)
  std::string trackId;  // a=msid's track id (Send only); empty: the mid
};

}  // namespace onair::rtc::client
