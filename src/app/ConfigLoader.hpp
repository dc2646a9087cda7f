#pragma once
// Layers configuration sources onto a Config. Every key is declared once, in the table in
// ConfigLoader.cpp, which drives the TOML reader, the environment, the flags and the reference
// documentation (`onair config reference`).
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "app/Config.hpp"

namespace onair::app {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ConfigKeyInfo {
  std::string name;     // "http.port"
  std::string flag;     // "--http-port"
  std::string env;      // "ONAIR_HTTP_PORT"
  std::string type;     // "integer", "string"
  std::string defaultValue;
  std::string help;
};

class ConfigLoader {
 public:
  using EnvLookup = std::function<const char*(const char*)>;

  static std::vector<ConfigKeyInfo> keys();

  // Throws ConfigError naming the file, the key and what is wrong.
  static void applyTomlFile(Config& config, const std::string& path);
  static void applyTomlText(Config& config, const std::string& text, const std::string& origin = "config");
  static void applyEnv(Config& config, const EnvLookup& lookup);
  // Values by key name ("http.port"), as given on the command line.
  static void applyValues(Config& config, const std::map<std::string, std::string>& values, const std::string& origin);
  // Cross-field checks; throws ConfigError.
  static void validate(const Config& config);

  static std::string referenceMarkdown();
};

}  // namespace onair::app
