#pragma once
// A scope in which a thread's store writes are queued without waking the writer: while a
// WriteBatch lives on a thread, an engine whose writer is another thread (the embedded SQLite
// store) queues what that thread submits and wakes its writer once, when the outermost WriteBatch
// ends. A loop turn that submits many writes (a shard appending every due Yjs batch) then costs
// one wake-up and usually one transaction (the writer, if already awake, may take part of it
// sooner), instead of handing the CPU to the writer for each write when both threads share a core.
//
// Contract: writes submitted inside the scope start no later than its end; nothing else changes
// (order, completions, errors). Scopes nest. Engines without a writer thread ignore it.
#include <functional>

namespace onair::engine {

class WriteBatch {
 public:
  WriteBatch();
  ~WriteBatch();
  WriteBatch(const WriteBatch&) = delete;
  WriteBatch& operator=(const WriteBatch&) = delete;

  // Called by an engine when the current thread submits a write: runs `wake` now outside any
  // WriteBatch; inside one, once when the outermost ends (a later `wake` with the same `key`
  // replaces none: the first one queued for a key runs).
  static void wakeWhenDone(const void* key, std::function<void()> wake);
};

}  // namespace onair::engine
