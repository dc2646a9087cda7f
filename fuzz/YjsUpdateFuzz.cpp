// fuzz_yjs_update: Yjs v1 updates as clients send them (y-websocket / Hocuspocus sync messages).
// Invariants: decode never reads past the input and refuses with a code or succeeds; a decoded
// update encodes to at most as many bytes and decodes back to the same structs (decode→encode→
// decode is stable); state vectors, diffUpdate against the update's own and an empty state vector,
// and mergeUpdates of the update with itself and with its two halves (the input split at the
// position its first byte names) never crash, and whatever they produce that decodes re-encodes
// stably.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "collab/yjs/StateVector.hpp"
#include "collab/yjs/UpdateDecoder.hpp"
#include "collab/yjs/UpdateDiff.hpp"
#include "collab/yjs/UpdateEncoder.hpp"
#include "collab/yjs/UpdateMerger.hpp"
#include "FuzzCheck.hpp"

using namespace onair::collab::yjs;

namespace {

void checkStable(const Update& update) {
  const auto bytes = UpdateEncoder::encode(update);
  const auto again = UpdateDecoder::decode(bytes);
  check(static_cast<bool>(again));
  check(*again == update);
}

void exercise(const Update& update, std::span<const uint8_t> bytes) {
  checkStable(update);
  check(UpdateEncoder::encode(update).size() <= bytes.size());
  const auto own = StateVector::fromUpdate(update);
  const auto svBytes = own.encode();
  const auto decodedSv = StateVector::decode(svBytes);
  check(decodedSv && *decodedSv == own);
  check(UpdateDiff::diff(update, own).structs.size() <= update.structs.size());
  const Update whole = UpdateDiff::diff(update, StateVector{});
  if (auto d = UpdateDecoder::decode(UpdateEncoder::encode(whole))) checkStable(*d);
  const Update self = UpdateMerger::merge({update, update});
  if (auto m = UpdateDecoder::decode(UpdateEncoder::encode(self))) checkStable(*m);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  if (auto update = UpdateDecoder::decode(input)) exercise(*update, input);
  if (size < 2) return 0;
  // Two updates: the rest of the input split where the first byte says.
  const auto rest = input.subspan(1);
  const size_t cut = data[0] % rest.size();
  auto a = UpdateDecoder::decode(rest.first(cut));
  auto b = UpdateDecoder::decode(rest.subspan(cut));
  if (!a || !b) return 0;
  const Update merged = UpdateMerger::merge({*a, *b});
  if (auto m = UpdateDecoder::decode(UpdateEncoder::encode(merged))) {
    checkStable(*m);
    const Update diff = UpdateDiff::diff(*m, StateVector::fromUpdate(*a));
    if (auto d = UpdateDecoder::decode(UpdateEncoder::encode(diff))) checkStable(*d);
  }
  return 0;
}
