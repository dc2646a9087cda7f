#pragma once
// The one list of error codes (DESIGN.md §5), mirrored in sdk/js and docs/errors.md.
#include <optional>
#include <string_view>

namespace onair::api {

enum class ErrorCode {
  InvalidArgument,
  Unauthenticated,
  Permission,
  NotFound,
  Expired,
  Conflict,
  CapExceeded,
  RateLimited,
  UnsupportedTransport,
  UnsupportedKind,
  PayloadTooLarge,
  ServiceUnavailable,
  Internal,
  UnknownOp,
};

// snake_case wire name, e.g. "invalid_argument".
std::string_view toString(ErrorCode code);
std::optional<ErrorCode> errorCodeFromString(std::string_view name);
// HTTP status used when the code is returned by the HTTP API.
int httpStatus(ErrorCode code);

}  // namespace onair::api
