#pragma once
// A Yjs state vector: per client, the clock up to which a document has that client's structs.
//
//   var uint clientCount, clientCount × (var uint client, var uint clock)
//
// Contract: encode() writes clients in descending order (yjs's writeStateVector); decode() keeps
// the last entry of a repeated client (as yjs's Map.set does) and refuses more than
// limits.maxStateVectorClients entries and trailing bytes. fromUpdate() is yjs's
// encodeStateVectorFromUpdate: per client, the end clock of the structs that follow on from
// clock 0 without a Skip; a client whose structs start above 0 counts as 0 and is left out.
#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "collab/yjs/Expected.hpp"
#include "collab/yjs/Update.hpp"
#include "collab/yjs/UpdateLimits.hpp"

namespace onair::collab::yjs {

class StateVector {
 public:
  static StateVector fromUpdate(const Update& update);
  static Expected<StateVector> decode(std::span<const uint8_t> bytes, const UpdateLimits& limits = {});
  std::vector<uint8_t> encode() const;

  // The clock for `client`, 0 when absent.
  uint64_t clock(uint64_t client) const;
  void set(uint64_t client, uint64_t clock) { clocks_[client] = clock; }
  const std::map<uint64_t, uint64_t>& clocks() const { return clocks_; }
  bool operator==(const StateVector&) const = default;

 private:
  std::map<uint64_t, uint64_t> clocks_;
};

}  // namespace onair::collab::yjs
