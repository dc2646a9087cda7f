#pragma once
// Why a Yjs update, state vector, merge or protocol message (y-websocket, Hocuspocus, awareness)
// was refused. Every decoder in collab/yjs reports the first problem it met as one of these;
// nothing is partially applied.
#include <cstdint>
#include <string_view>

namespace onair::collab::yjs {

enum class YjsError : uint8_t {
  None = 0,
  Truncated,         // a field runs past the end of the bytes
  IntegerTooLarge,   // a varint needs more than 53 bits (lib0's Number.MAX_SAFE_INTEGER)
  BadUtf8,           // a string is not well-formed UTF-8 (yjs never writes such strings)
  TooLarge,          // the input is over UpdateLimits::maxUpdateBytes (or maxMergeBytes)
  TooManyStructs,    // over UpdateLimits::maxStructs
  TooManyDeletes,    // over UpdateLimits::maxDeleteRanges
  TooDeep,           // an `any` value nests deeper than UpdateLimits::maxAnyDepth
  UnknownContent,    // an item's content ref is not 1..9
  UnknownTypeRef,    // a ContentType names no Y type (0..6)
  UnknownAnyTag,     // an `any` value starts with a tag lib0 does not know (116..127)
  EmptyStruct,       // a struct of length 0 (yjs never writes one)
  ClockOverflow,     // clock + length passes 2^53
  TrailingBytes,     // bytes after the delete set / state vector
  TooManyUpdates,    // a merge of more than UpdateLimits::maxMergeInputs updates
  UnknownMessageType,  // a y-websocket / Hocuspocus message type onair does not know (ignore the frame)
  UnknownSyncStep,     // a y-protocols sync message that is not step 1, step 2 or update (0..2)
  UnknownAuthType,     // an auth sub-message onair does not know
  BadJson,             // an awareness state that is not one JSON value (or nests too deep)
  TooManyEntries,      // over MessageLimits::maxAwarenessEntries
  UnorderedRuns,       // an update's runs are not in yjs's order (each client once, descending)
};

// A stable lower-case name for logs and error messages ("truncated", "bad_utf8", ...).
constexpr std::string_view describe(YjsError error) {
  switch (error) {
    case YjsError::None: return "none";
    case YjsError::Truncated: return "truncated";
    case YjsError::IntegerTooLarge: return "integer_too_large";
    case YjsError::BadUtf8: return "bad_utf8";
    case YjsError::TooLarge: return "too_large";
    case YjsError::TooManyStructs: return "too_many_structs";
    case YjsError::TooManyDeletes: return "too_many_deletes";
    case YjsError::TooDeep: return "too_deep";
    case YjsError::UnknownContent: return "unknown_content";
    case YjsError::UnknownTypeRef: return "unknown_type_ref";
    case YjsError::UnknownAnyTag: return "unknown_any_tag";
    case YjsError::EmptyStruct: return "empty_struct";
    case YjsError::ClockOverflow: return "clock_overflow";
    case YjsError::TrailingBytes: return "trailing_bytes";
    case YjsError::TooManyUpdates: return "too_many_updates";
    case YjsError::UnknownMessageType: return "unknown_message_type";
    case YjsError::UnknownSyncStep: return "unknown_sync_step";
    case YjsError::UnknownAuthType: return "unknown_auth_type";
    case YjsError::BadJson: return "bad_json";
    case YjsError::TooManyEntries: return "too_many_entries";
    case YjsError::UnorderedRuns: return "unordered_runs";
  }
  return "unknown";
}

}  // namespace onair::collab::yjs
