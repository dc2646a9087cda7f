#pragma once
// Bytes the Yjs tests share: a hex reader, and updates printed by npm yjs 13.6.33.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace onair::collab::yjs::fixtures {

inline std::vector<uint8_t> hex(std::string_view text) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < text.size(); i += 2) out.push_back(static_cast<uint8_t>(std::stoi(std::string(text.substr(i, 2)), nullptr, 16)));
  return out;
}

// Client 1: getText('t').insert(0, 'ab😀c'): one string item of 5 UTF-16 units.
inline const std::vector<uint8_t> kText = hex("0101010004010174076162f09f98806300");
// The same after delete(1, 1): three items and a delete set {1: [1,1)}.
inline const std::vector<uint8_t> kTextDeleted = hex("010301000401017401618101000184010105f09f9880630101010101");
// Client 2: getMap('m').set('k', 1) then set('k', 'x').
inline const std::vector<uint8_t> kMap = hex("010202002101016d016b01a80200017701780102010001");
inline const std::vector<uint8_t> kEmpty = hex("0000");

}  // namespace onair::collab::yjs::fixtures
