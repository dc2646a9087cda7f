#pragma once
// The delete set at the end of a Yjs update: per client, ranges of clocks whose items are deleted.
//
//   var uint clientCount
//   clientCount × ( var uint client, var uint rangeCount, rangeCount × (var uint clock, var uint length) )
//
// Contract: normalize() sorts each client's ranges and merges overlapping or touching ones (yjs's
// sortAndMergeDeleteSet) and drops empty ranges and clients; write() writes the normalized form
// with clients in descending order as yjs's writeDeleteSet does.
#include <cstdint>
#include <map>
#include <vector>

#include "collab/yjs/Lib0Reader.hpp"
#include "collab/yjs/Lib0Writer.hpp"
#include "collab/yjs/UpdateLimits.hpp"

namespace onair::collab::yjs {

class DeleteSet {
 public:
  struct Range {
    uint64_t clock = 0;
    uint64_t length = 0;
    bool operator==(const Range&) const = default;
  };

  // Reads a delete set; false (with the reader's error set) when malformed or over the limits.
  bool read(Lib0Reader& reader, const UpdateLimits& limits);
  void write(Lib0Writer& writer) const;

  void add(uint64_t client, uint64_t clock, uint64_t length);
  void addAll(const DeleteSet& other);
  void normalize();

  const std::map<uint64_t, std::vector<Range>>& clients() const { return clients_; }
  bool operator==(const DeleteSet&) const = default;

 private:
  std::map<uint64_t, std::vector<Range>> clients_;
};

}  // namespace onair::collab::yjs
