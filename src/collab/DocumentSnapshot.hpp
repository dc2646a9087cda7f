#pragma once
// A saved document: the merged update of everything stored up to `through` in the document's
// stream of epoch `epoch` (the Registry record "yjs:<name>"). Stored as JSON:
//   {"state":"<base64url update>","through":<offset>,"epoch":"<epoch>"}
// parse() refuses anything else (a record another writer damaged) with nullopt.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace onair::collab {

struct DocumentSnapshot {
  std::vector<uint8_t> state;
  uint64_t through = 0;
  std::string epoch;

  std::string toJson() const;
  static std::optional<DocumentSnapshot> parse(std::string_view json);
};

}  // namespace onair::collab
