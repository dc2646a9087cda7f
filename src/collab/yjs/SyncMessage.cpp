#include "collab/yjs/SyncMessage.hpp"

#include "collab/yjs/Lib0Reader.hpp"
#include "collab/yjs/Lib0Writer.hpp"

namespace onair::collab::yjs {

namespace {

bool readBody(Lib0Reader& reader, SyncMessage& message) {
  switch (message.type) {
    case SyncMessage::Type::Sync: return message.sync.read(reader);
    case SyncMessage::Type::Awareness: return reader.readVarUint8Array(message.awareness);
    case SyncMessage::Type::Auth: {
      uint64_t authType = 0;
      if (!reader.readVarUint(authType)) return false;
      if (authType != SyncMessage::kPermissionDenied) return reader.fail(YjsError::UnknownAuthType);
      return reader.readVarString(message.reason);
    }
    case SyncMessage::Type::QueryAwareness: return true;
  }
  return reader.fail(YjsError::UnknownMessageType);
}

SyncMessage syncOf(SyncStep step, std::span<const uint8_t> bytes) {
  SyncMessage message;
  message.type = SyncMessage::Type::Sync;
  message.sync = SyncPayload{step, bytes};
  return message;
}

}  // namespace

Expected<SyncMessage> SyncMessage::decode(std::span<const uint8_t> frame, const MessageLimits& limits) {
  if (frame.size() > limits.maxMessageBytes) return YjsError::TooLarge;
  Lib0Reader reader(frame);
  uint64_t type = 0;
  if (!reader.readVarUint(type)) return reader.error();
  if (type > static_cast<uint64_t>(Type::QueryAwareness)) return YjsError::UnknownMessageType;
  SyncMessage message;
  message.type = static_cast<Type>(type);
  if (!readBody(reader, message)) return reader.error();
  if (!reader.atEnd()) return YjsError::TrailingBytes;
  return message;
}

std::vector<uint8_t> SyncMessage::encode() const {
  Lib0Writer writer;
  writer.writeVarUint(static_cast<uint64_t>(type));
  switch (type) {
    case Type::Sync: sync.write(writer); break;
    case Type::Awareness: writer.writeVarUint8Array(awareness); break;
    case Type::Auth:
      writer.writeVarUint(kPermissionDenied);
      writer.writeVarString(reason);
      break;
    case Type::QueryAwareness: break;
  }
  return writer.take();
}

SyncMessage SyncMessage::syncStep1(std::span<const uint8_t> stateVector) { return syncOf(SyncStep::Step1, stateVector); }
SyncMessage SyncMessage::syncStep2(std::span<const uint8_t> update) { return syncOf(SyncStep::Step2, update); }
SyncMessage SyncMessage::update(std::span<const uint8_t> update) { return syncOf(SyncStep::Update, update); }

SyncMessage SyncMessage::awarenessUpdate(std::span<const uint8_t> update) {
  SyncMessage message;
  message.type = Type::Awareness;
  message.awareness = update;
  return message;
}

SyncMessage SyncMessage::queryAwareness() {
  SyncMessage message;
  message.type = Type::QueryAwareness;
  return message;
}

SyncMessage SyncMessage::permissionDenied(std::string_view reason) {
  SyncMessage message;
  message.type = Type::Auth;
  message.reason = reason;
  return message;
}

}  // namespace onair::collab::yjs
