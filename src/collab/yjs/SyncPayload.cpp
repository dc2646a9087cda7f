#include "collab/yjs/SyncPayload.hpp"

namespace onair::collab::yjs {

bool SyncPayload::read(Lib0Reader& reader) {
  uint64_t raw = 0;
  if (!reader.readVarUint(raw)) return false;
  if (raw > static_cast<uint64_t>(SyncStep::Update)) return reader.fail(YjsError::UnknownSyncStep);
  step = static_cast<SyncStep>(raw);
  return reader.readVarUint8Array(bytes);
}

void SyncPayload::write(Lib0Writer& writer) const {
  writer.writeVarUint(static_cast<uint64_t>(step));
  writer.writeVarUint8Array(bytes);
}

}  // namespace onair::collab::yjs
