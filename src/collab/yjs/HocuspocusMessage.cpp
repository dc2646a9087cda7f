#include "collab/yjs/HocuspocusMessage.hpp"

#include "collab/yjs/Lib0Reader.hpp"
#include "collab/yjs/Lib0Writer.hpp"

namespace onair::collab::yjs {

namespace {

using Message = HocuspocusMessage;

// A var string that may be left out at the end of the frame.
bool readOptionalText(Lib0Reader& reader, Message& message) {
  message.hasText = !reader.atEnd();
  return !message.hasText || reader.readVarString(message.text);
}

bool readAuth(Lib0Reader& reader, Message& message) {
  uint64_t authType = 0;
  if (!reader.readVarUint(authType)) return false;
  if (authType > static_cast<uint64_t>(Message::AuthType::Authenticated)) return reader.fail(YjsError::UnknownAuthType);
  message.authType = static_cast<Message::AuthType>(authType);
  if (message.authType == Message::AuthType::Token) return readOptionalText(reader, message);
  message.hasText = true;
  return reader.readVarString(message.text);
}

bool readBody(Lib0Reader& reader, Message& message) {
  uint64_t status = 0;
  switch (message.type) {
    case Message::Type::Sync:
    case Message::Type::SyncReply: return message.sync.read(reader);
    case Message::Type::Awareness: return reader.readVarUint8Array(message.awareness);
    case Message::Type::Auth: return readAuth(reader, message);
    case Message::Type::QueryAwareness: return true;
    case Message::Type::Stateless:
    case Message::Type::BroadcastStateless: message.hasText = true; return reader.readVarString(message.text);
    case Message::Type::Close: return readOptionalText(reader, message);
    case Message::Type::SyncStatus:
      if (!reader.readVarUint(status)) return false;
      message.applied = status == 1;  // the provider counts an update as saved only on 1
      return true;
  }
  return reader.fail(YjsError::UnknownMessageType);
}

void writeBody(Lib0Writer& writer, const Message& message) {
  switch (message.type) {
    case Message::Type::Sync:
    case Message::Type::SyncReply: message.sync.write(writer); return;
    case Message::Type::Awareness: writer.writeVarUint8Array(message.awareness); return;
    case Message::Type::Auth:
      writer.writeVarUint(static_cast<uint64_t>(message.authType));
      if (message.hasText) writer.writeVarString(message.text);
      return;
    case Message::Type::QueryAwareness: return;
    case Message::Type::Stateless:
    case Message::Type::BroadcastStateless: writer.writeVarString(message.text); return;
    case Message::Type::Close:
      if (message.hasText) writer.writeVarString(message.text);
      return;
    case Message::Type::SyncStatus: writer.writeVarUint(message.applied ? 1 : 0); return;
  }
}

Message make(std::string_view documentName, Message::Type type) {
  Message message;
  message.documentName = documentName;
  message.type = type;
  return message;
}

Message withText(Message message, std::string_view text) {
  message.text = text;
  message.hasText = true;
  return message;
}

Message auth(std::string_view documentName, Message::AuthType authType) {
  Message message = make(documentName, Message::Type::Auth);
  message.authType = authType;
  return message;
}

}  // namespace

Expected<HocuspocusMessage> HocuspocusMessage::decode(std::span<const uint8_t> frame, const MessageLimits& limits) {
  if (frame.size() > limits.maxMessageBytes) return YjsError::TooLarge;
  Lib0Reader reader(frame);
  HocuspocusMessage message;
  if (!reader.readVarString(message.documentName)) return reader.error();
  if (message.documentName.size() > limits.maxDocumentNameBytes) return YjsError::TooLarge;
  uint64_t type = 0;
  if (!reader.readVarUint(type)) return reader.error();
  if (type > static_cast<uint64_t>(Type::SyncStatus)) return YjsError::UnknownMessageType;
  message.type = static_cast<Type>(type);
  if (!readBody(reader, message)) return reader.error();
  if (!reader.atEnd()) return YjsError::TrailingBytes;
  return message;
}

std::vector<uint8_t> HocuspocusMessage::encode() const {
  Lib0Writer writer;
  writer.writeVarString(documentName);
  writer.writeVarUint(static_cast<uint64_t>(type));
  writeBody(writer, *this);
  return writer.take();
}

HocuspocusMessage HocuspocusMessage::syncMessage(std::string_view documentName, SyncStep step, std::span<const uint8_t> bytes) {
  Message message = make(documentName, Type::Sync);
  message.sync = SyncPayload{step, bytes};
  return message;
}

HocuspocusMessage HocuspocusMessage::awarenessUpdate(std::string_view documentName, std::span<const uint8_t> update) {
  Message message = make(documentName, Type::Awareness);
  message.awareness = update;
  return message;
}

HocuspocusMessage HocuspocusMessage::queryAwareness(std::string_view documentName) {
  return make(documentName, Type::QueryAwareness);
}

HocuspocusMessage HocuspocusMessage::token(std::string_view documentName, std::string_view token) {
  return withText(auth(documentName, AuthType::Token), token);
}

HocuspocusMessage HocuspocusMessage::tokenRequest(std::string_view documentName) {
  return auth(documentName, AuthType::Token);
}

HocuspocusMessage HocuspocusMessage::permissionDenied(std::string_view documentName, std::string_view reason) {
  return withText(auth(documentName, AuthType::PermissionDenied), reason);
}

HocuspocusMessage HocuspocusMessage::authenticated(std::string_view documentName, bool readOnly) {
  return withText(auth(documentName, AuthType::Authenticated), readOnly ? kReadOnlyScope : kReadWriteScope);
}

HocuspocusMessage HocuspocusMessage::stateless(std::string_view documentName, std::string_view payload) {
  return withText(make(documentName, Type::Stateless), payload);
}

HocuspocusMessage HocuspocusMessage::broadcastStateless(std::string_view documentName, std::string_view payload) {
  return withText(make(documentName, Type::BroadcastStateless), payload);
}

HocuspocusMessage HocuspocusMessage::close(std::string_view documentName, std::string_view reason) {
  return withText(make(documentName, Type::Close), reason);
}

HocuspocusMessage HocuspocusMessage::syncStatus(std::string_view documentName, bool applied) {
  Message message = make(documentName, Type::SyncStatus);
  message.applied = applied;
  return message;
}

}  // namespace onair::collab::yjs
