#include "collab/yjs/StateVector.hpp"

#include "collab/yjs/Lib0Reader.hpp"
#include "collab/yjs/Lib0Writer.hpp"

namespace onair::collab::yjs {

StateVector StateVector::fromUpdate(const Update& update) {
  StateVector sv;
  if (update.structs.empty()) return sv;
  uint64_t client = update.structs.front().id.client;
  uint64_t clock = 0;
  bool stopped = update.structs.front().id.clock != 0;
  for (const Struct& s : update.structs) {
    if (s.id.client != client) {
      if (clock != 0) sv.set(client, clock);
      client = s.id.client;
      clock = 0;
      stopped = s.id.clock != 0;
    }
    // Past a hole (a Skip) the update no longer tells how far the client's state goes.
    if (s.isSkip()) stopped = true;
    if (!stopped) clock = s.endClock();
  }
  if (clock != 0) sv.set(client, clock);
  return sv;
}

Expected<StateVector> StateVector::decode(std::span<const uint8_t> bytes, const UpdateLimits& limits) {
  if (bytes.size() > limits.maxUpdateBytes) return YjsError::TooLarge;
  Lib0Reader reader(bytes);
  StateVector sv;
  uint64_t count = 0;
  if (!reader.readVarUint(count)) return reader.error();
  if (count > limits.maxStateVectorClients) return YjsError::TooManyStructs;
  if (count > reader.remaining() / 2) return YjsError::Truncated;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t client = 0;
    uint64_t clock = 0;
    if (!reader.readVarUint(client) || !reader.readVarUint(clock)) return reader.error();
    sv.set(client, clock);
  }
  if (!reader.atEnd()) return YjsError::TrailingBytes;
  return sv;
}

std::vector<uint8_t> StateVector::encode() const {
  Lib0Writer writer;
  writer.writeVarUint(clocks_.size());
  for (auto it = clocks_.rbegin(); it != clocks_.rend(); ++it) {
    writer.writeVarUint(it->first);
    writer.writeVarUint(it->second);
  }
  return writer.take();
}

uint64_t StateVector::clock(uint64_t client) const {
  const auto it = clocks_.find(client);
  return it == clocks_.end() ? 0 : it->second;
}

}  // namespace onair::collab::yjs
