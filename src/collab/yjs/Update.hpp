#pragma once
// A Yjs update in encoding v1 (yjs `encodeStateAsUpdate`, `Y.mergeUpdates`, y-protocols sync
// step 2 and update messages), decoded into structs and a delete set. All numbers are lib0 var
// uints unless noted (see Lib0Reader.hpp).
//
//   update      = var uint runCount, runCount × run, deleteSet (DeleteSet.hpp)
//   run         = var uint structCount, var uint client, var uint startClock, structCount × struct
//                 (the structs of one client at consecutive clocks from startClock)
//   struct      = uint8 info, then by info:
//                 info == 10          Skip: var uint length
//                 info & 0x1F == 0    GC:   var uint length
//                 otherwise           Item:
//
//     info   7   6   5   4   3   2   1   0
//          +---+---+---+-------------------+
//          | O | R | S |    content ref    |   O: origin present, R: right origin present,
//          +---+---+---+-------------------+   S: parentSub present
//
//     [origin id]        if O (var uint client, var uint clock)
//     [right origin id]  if R
//     if neither O nor R: var uint parentInfo; 1 → var string root type name, 0 → parent item id;
//                         then, if S, var string parentSub (the map key)
//     content            by ref (ContentKind.hpp)
//
// A struct's clock is its run's startClock plus the lengths of the structs before it in the run.
// The flat list `structs` is in wire order; the encoder starts a new run whenever the client
// changes or clocks are not consecutive.
#include <vector>

#include "collab/yjs/DeleteSet.hpp"
#include "collab/yjs/Struct.hpp"

namespace onair::collab::yjs {

struct Update {
  std::vector<Struct> structs;
  DeleteSet deleteSet;

  bool operator==(const Update&) const = default;
};

}  // namespace onair::collab::yjs
