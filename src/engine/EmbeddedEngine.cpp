#include "engine/EmbeddedEngine.hpp"

#include <filesystem>

namespace onair::engine {

namespace {
std::unique_ptr<sqlite::SqliteStore> openStore(const std::string& dataDir) {
  std::error_code ec;
  std::filesystem::create_directories(dataDir, ec);
  return std::make_unique<sqlite::SqliteStore>((std::filesystem::path(dataDir) / "onair.db").string());
}
}  // namespace

EmbeddedEngine::EmbeddedEngine(const std::string& dataDir, std::string nodeId)
    : store_(openStore(dataDir)),
      history_(*store_),
      registry_(*store_),
      announcing_(history_, broker_),
      nodes_(std::move(nodeId)) {}

}  // namespace onair::engine
