#pragma once
// Portal-relay messages between nodes on the Broker topic "lc:r:<liveId>" (docs/architecture.md
// "Live broadcasts across nodes"). A chunk is the encoded server WebSocket binary frame itself
// (FIN + binary, unmasked, its payload an api::BinaryFrame): what every node's viewers get. A
// catch-up, for one node that starts listening (the init chunk, then the chunks since the key):
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |   'C' (0x43)  |  node length  |  node id (node length bytes) …
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                frame length (32 bits, big-endian)             |  } once per
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  } frame
// |   frame (a chunk, as above) …                                 |  }
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// A chunk starts with 0x82, so the first byte tells the two apart. Parsing is pure and bounded by
// its input (fuzz_relay_packet).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace onair::live {

struct RelayPacket {
  static constexpr char kCatchUpMark = 'C';
  static constexpr size_t kMaxNode = 255;

  struct CatchUp {
    std::string_view node;
    std::vector<std::string_view> frames;  // each one a chunk
  };

  static bool isCatchUp(std::string_view bytes) { return !bytes.empty() && bytes[0] == kCatchUpMark; }
  // The api::BinaryFrame flags byte of a chunk; nullopt when the bytes are not a chunk.
  static std::optional<uint8_t> chunkFlags(std::string_view frame);
  // `node` at most kMaxNode bytes.
  static std::string encodeCatchUp(std::string_view node, const std::vector<std::string_view>& frames);
  static std::optional<CatchUp> parseCatchUp(std::string_view bytes);
};

}  // namespace onair::live
