#pragma once
// Generated credentials in <data_dir>/credentials.toml (mode 0600): the development API key and
// secret, used when neither [[keys]] nor ONAIR_API_KEY is configured, and the collab secret that
// signs collab room tokens, used when collab.token_secret is not set. Each is generated the
// first time it is needed and kept; the file is never committed (data/ is ignored) and no secret
// is ever logged.
#include <string>

#include "app/Config.hpp"

namespace onair::app {

class Credentials {
 public:
  enum class Need {
    Keys,                 // `onair token create`: only the API keys
    KeysAndCollabSecret,  // `onair serve`
  };

  // Fills config.keys and (for KeysAndCollabSecret) config.collabTokenSecret from the credentials
  // file when they are not configured, generating what the file lacks. Leaves configured values
  // alone and does not touch the file when nothing is missing. Concurrent starts on one data_dir
  // are serialized with a lock on the file. Throws ConfigError when the folder or file cannot be
  // made, read or parsed.
  static void ensure(Config& config, Need need = Need::KeysAndCollabSecret);
  static std::string pathFor(const Config& config);
};

}  // namespace onair::app
