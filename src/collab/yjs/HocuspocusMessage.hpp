#pragma once
// One Hocuspocus frame (@hocuspocus/provider and @hocuspocus/server 3.x): many documents share a
// socket, so every frame names its document first.
//
//   +----------------------+----------------+-------------------------------------------------+
//   | var string document  | var uint type  | payload                                         |
//   +----------------------+----------------+-------------------------------------------------+
//   | 0 Sync               | y-protocols sync message (SyncPayload.hpp)                       |
//   | 1 Awareness          | var uint8 array: an awareness update (AwarenessUpdate.hpp)       |
//   | 2 Auth               | var uint auth type, then:                                        |
//   |                      |   0 Token             [var string token] (none: server asks)     |
//   |                      |   1 PermissionDenied  var string reason                          |
//   |                      |   2 Authenticated     var string scope "readonly" | "read-write" |
//   | 3 QueryAwareness     | nothing                                                          |
//   | 4 SyncReply          | as Sync; the server then sends no sync step 1 of its own         |
//   | 5 Stateless          | var string payload (to the server's hook / from it)              |
//   | 6 BroadcastStateless | var string payload (to every connection of the document)         |
//   | 7 CLOSE              | [var string reason] (none: the provider asks the server to close)|
//   | 8 SyncStatus         | var uint 1 (update stored) or 0 (refused, e.g. readonly)         |
//   +----------------------+----------------+-------------------------------------------------+
//
// Contract: decode() is pure and bounded: it refuses frames over limits.maxMessageBytes, document
// names over limits.maxDocumentNameBytes, unknown types (UnknownMessageType: Hocuspocus logs and
// ignores those), unknown sync steps and auth types, malformed UTF-8 and bytes after the message.
// Views point into the frame, which must outlive the message; the update, state vector or
// awareness update inside is left for its own decoder. encode() writes what Hocuspocus writes.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "collab/yjs/Expected.hpp"
#include "collab/yjs/MessageLimits.hpp"
#include "collab/yjs/SyncPayload.hpp"

namespace onair::collab::yjs {

struct HocuspocusMessage {
  enum class Type : uint8_t {
    Sync = 0,
    Awareness = 1,
    Auth = 2,
    QueryAwareness = 3,
    SyncReply = 4,
    Stateless = 5,
    BroadcastStateless = 6,
    Close = 7,
    SyncStatus = 8,
  };
  enum class AuthType : uint8_t { Token = 0, PermissionDenied = 1, Authenticated = 2 };
  static constexpr std::string_view kReadOnlyScope = "readonly";
  static constexpr std::string_view kReadWriteScope = "read-write";

  std::string_view documentName;
  Type type = Type::Sync;
  SyncPayload sync;                    // Sync, SyncReply
  std::span<const uint8_t> awareness;  // Awareness: an encoded awareness update
  AuthType authType = AuthType::Token;  // Auth
  // Auth: the token, the reason or the scope; Stateless, BroadcastStateless: the payload; Close:
  // the reason. hasText is false for a Token without one (the server's token request) and a Close
  // without a reason (the provider's).
  std::string_view text;
  bool hasText = false;
  bool applied = false;  // SyncStatus

  static Expected<HocuspocusMessage> decode(std::span<const uint8_t> frame, const MessageLimits& limits = {});
  std::vector<uint8_t> encode() const;

  static HocuspocusMessage syncMessage(std::string_view documentName, SyncStep step, std::span<const uint8_t> bytes);
  static HocuspocusMessage awarenessUpdate(std::string_view documentName, std::span<const uint8_t> update);
  static HocuspocusMessage queryAwareness(std::string_view documentName);
  static HocuspocusMessage token(std::string_view documentName, std::string_view token);
  static HocuspocusMessage tokenRequest(std::string_view documentName);
  static HocuspocusMessage permissionDenied(std::string_view documentName, std::string_view reason);
  static HocuspocusMessage authenticated(std::string_view documentName, bool readOnly);
  static HocuspocusMessage stateless(std::string_view documentName, std::string_view payload);
  static HocuspocusMessage broadcastStateless(std::string_view documentName, std::string_view payload);
  static HocuspocusMessage close(std::string_view documentName, std::string_view reason);
  static HocuspocusMessage syncStatus(std::string_view documentName, bool applied);
};

}  // namespace onair::collab::yjs
