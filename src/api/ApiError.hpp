#pragma once
// A typed error returned to a client or an HTTP caller: a code from ErrorCode, a message a
// person can act on, and a retry hint where retrying helps.
#include <cstdint>
#include <optional>
#include <string>

#include "api/ErrorCode.hpp"

namespace onair::api {

struct ApiError {
  ErrorCode code = ErrorCode::Internal;
  std::string message;
  std::optional<int64_t> retryAfterMs;

  static ApiError invalidArgument(std::string message) {
    return {ErrorCode::InvalidArgument, std::move(message), std::nullopt};
  }
};

}  // namespace onair::api
