#pragma once
// The embedded engine: in-memory broker, presence and leases, SQLite (WAL) history and registry in
// <data_dir>/onair.db. Needs nothing else installed.
#include <memory>
#include <string>

#include "engine/Engine.hpp"
#include "engine/memory/AnnouncingHistory.hpp"
#include "engine/memory/MemoryBroker.hpp"
#include "engine/memory/MemoryLeases.hpp"
#include "engine/memory/MemoryNodes.hpp"
#include "engine/memory/MemoryPresence.hpp"
#include "engine/sqlite/SqliteHistory.hpp"
#include "engine/sqlite/SqliteRegistry.hpp"
#include "engine/sqlite/SqliteStore.hpp"

namespace onair::engine {

class EmbeddedEngine final : public Engine {
 public:
  // Opens <dataDir>/onair.db; throws std::runtime_error with a clear message on failure.
  // `nodeId` names this node in nodes() (the app passes node.id).
  explicit EmbeddedEngine(const std::string& dataDir, std::string nodeId = "local");
  ~EmbeddedEngine() override { stop(); }  // drain before history/registry go

  std::string_view name() const override { return "embedded"; }
  bool ready() const override { return store_->healthy(); }
  void stop() override { store_->stop(); }
  Broker& broker() override { return broker_; }
  History& history() override { return announcing_; }
  Leases& leases() override { return leases_; }
  Presence& presence() override { return presence_; }
  Registry& registry() override { return registry_; }
  Nodes& nodes() override { return nodes_; }

 private:
  std::unique_ptr<sqlite::SqliteStore> store_;
  memory::MemoryBroker broker_;
  memory::MemoryPresence presence_;
  memory::MemoryLeases leases_;
  sqlite::SqliteHistory history_;
  sqlite::SqliteRegistry registry_;
  memory::AnnouncingHistory announcing_;
  memory::MemoryNodes nodes_;
};

}  // namespace onair::engine
