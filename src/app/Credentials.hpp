#pragma once
// Development API credentials: when neither [[keys]] nor ONAIR_API_KEY is configured, onair uses
// (and on first start generates) <data_dir>/credentials.toml, mode 0600. It is never committed
// (data/ is ignored) and the secret is never logged.
#include <string>

#include "app/Config.hpp"

namespace onair::app {

class Credentials {
 public:
  // Fills config.keys from the credentials file, generating it if missing. No-op when keys are
  // already configured. Throws ConfigError when the folder or file cannot be made or read.
  static void ensure(Config& config);
  static std::string pathFor(const Config& config);
};

}  // namespace onair::app
