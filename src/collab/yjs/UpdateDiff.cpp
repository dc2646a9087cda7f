#include "collab/yjs/UpdateDiff.hpp"

#include "collab/yjs/UpdateDecoder.hpp"
#include "collab/yjs/UpdateEncoder.hpp"

namespace onair::collab::yjs {

Update UpdateDiff::diff(const Update& update, const StateVector& stateVector) {
  Update out;
  out.deleteSet = update.deleteSet;
  const auto& structs = update.structs;
  size_t i = 0;
  while (i < structs.size()) {
    const Struct& curr = structs[i];
    const uint64_t client = curr.id.client;
    const uint64_t known = stateVector.clock(client);
    // A diff never starts a client with a hole.
    if (curr.isSkip()) {
      ++i;
      continue;
    }
    // Entirely known: pass over this client's structs up to the known clock.
    if (curr.endClock() <= known) {
      while (i < structs.size() && structs[i].id.client == client && structs[i].endClock() <= known) ++i;
      continue;
    }
    // New from here: the straddling struct sliced at the known clock, then the rest of the run.
    const Struct lazy = curr.lazyForm();
    out.structs.push_back(known > curr.id.clock ? lazy.sliceFrom(known - curr.id.clock) : lazy);
    ++i;
    while (i < structs.size() && structs[i].id.client == client) out.structs.push_back(structs[i++].lazyForm());
  }
  return out;
}

Expected<std::vector<uint8_t>> UpdateDiff::diff(std::span<const uint8_t> update, std::span<const uint8_t> stateVector,
                                                const UpdateLimits& limits) {
  auto decoded = UpdateDecoder::decode(update, limits);
  if (!decoded) return decoded.error();
  auto sv = StateVector::decode(stateVector, limits);
  if (!sv) return sv.error();
  return UpdateEncoder::encode(diff(*decoded, *sv));
}

}  // namespace onair::collab::yjs
