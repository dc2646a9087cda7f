#pragma once
// What the streams surface takes from config (README, config table: `streams.*`).
#include <cstddef>

namespace onair::streams {

struct StreamOptions {
  // users + managers of one stream room; more is invalid_argument.
  size_t maxUsers = 1000;
  // Decoded bytes of publicMeta, of privateMeta, and serialized bytes of the policy, each; more
  // is payload_too_large.
  size_t maxMetaBytes = 64 * 1024;
};

}  // namespace onair::streams
