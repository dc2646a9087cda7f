#include "api/ErrorCode.hpp"

#include <array>
#include <utility>

namespace onair::api {
namespace {

struct Entry {
  ErrorCode code;
  std::string_view name;
  int status;
};

constexpr std::array<Entry, 14> kEntries{{
    {ErrorCode::InvalidArgument, "invalid_argument", 400},
    {ErrorCode::Unauthenticated, "unauthenticated", 401},
    {ErrorCode::Permission, "permission", 403},
    {ErrorCode::NotFound, "not_found", 404},
    {ErrorCode::Expired, "expired", 410},
    {ErrorCode::Conflict, "conflict", 409},
    {ErrorCode::CapExceeded, "cap_exceeded", 429},
    {ErrorCode::RateLimited, "rate_limited", 429},
    {ErrorCode::UnsupportedTransport, "unsupported_transport", 400},
    {ErrorCode::UnsupportedKind, "unsupported_kind", 400},
    {ErrorCode::PayloadTooLarge, "payload_too_large", 413},
    {ErrorCode::ServiceUnavailable, "service_unavailable", 503},
    {ErrorCode::Internal, "internal", 500},
    {ErrorCode::UnknownOp, "unknown_op", 404},
}};

const Entry& entry(ErrorCode code) { return kEntries[static_cast<size_t>(code)]; }

}  // namespace

std::string_view toString(ErrorCode code) { return entry(code).name; }

int httpStatus(ErrorCode code) { return entry(code).status; }

std::optional<ErrorCode> errorCodeFromString(std::string_view name) {
  for (const auto& e : kEntries) {
    if (e.name == name) return e.code;
  }
  return std::nullopt;
}

}  // namespace onair::api
