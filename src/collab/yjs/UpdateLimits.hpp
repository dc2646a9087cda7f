#pragma once
// Bounds on what a (possibly hostile) Yjs update may make onair hold. Every count is checked
// before anything is allocated for it, and every length against the bytes that remain, so memory
// stays proportional to the input and the input to maxUpdateBytes. A decoded struct takes about
// 330 bytes plus its strings, so maxStructs and maxMergeStructs bound a decode (~80 MiB) and a
// merge (~165 MiB) at the defaults; callers facing clients should pass tighter limits.
#include <cstddef>
#include <cstdint>

namespace onair::collab::yjs {

struct UpdateLimits {
  size_t maxUpdateBytes = 16 * 1024 * 1024;  // one update, state vector or merge/diff result
  size_t maxMergeBytes = 64 * 1024 * 1024;   // all inputs of one mergeUpdates together
  size_t maxStructs = 250'000;               // structs in one update
  size_t maxMergeStructs = 500'000;          // structs in all inputs of one mergeUpdates
  size_t maxDeleteRanges = 1'000'000;        // delete-set ranges in one update
  size_t maxAnyDepth = 64;                   // nesting of `any` arrays/objects
  size_t maxMergeInputs = 100'000;           // updates in one mergeUpdates call
  size_t maxStateVectorClients = 1'000'000;  // entries in one state vector
};

// lib0 numbers are JavaScript doubles: integers are exact up to 2^53 - 1.
inline constexpr uint64_t kMaxSafeInteger = (uint64_t{1} << 53) - 1;

}  // namespace onair::collab::yjs
