#pragma once
// The embedded engine's History: a store's History whose appends with `announce` hand the stored
// message to the MemoryBroker's stored handler before completing (see engine/History.hpp). The
// store completes one stream's appends in offset order on its one thread, so announcements keep
// that order.
#include "engine/History.hpp"
#include "engine/memory/MemoryBroker.hpp"

namespace onair::engine::memory {

class AnnouncingHistory final : public History {
 public:
  AnnouncingHistory(History& store, MemoryBroker& broker) : store_(store), broker_(broker) {}

  void append(AppendRequest request, std::function<void(Outcome<AppendResult>)> done) override;
  void read(ReadRequest request, std::function<void(Outcome<ReadResult>)> done) override {
    store_.read(std::move(request), std::move(done));
  }
  void trim(TrimRequest request, std::function<void(Outcome<Done>)> done) override {
    store_.trim(std::move(request), std::move(done));
  }
  void remove(std::string stream, std::function<void(Outcome<Done>)> done) override {
    store_.remove(std::move(stream), std::move(done));
  }

 private:
  History& store_;
  MemoryBroker& broker_;
};

}  // namespace onair::engine::memory
