#include "api/TokenMinting.hpp"

#include "auth/TokenIssuer.hpp"

namespace onair::api {

std::variant<std::string, ApiError> mintToken(const auth::TokenIssuer& issuer, const auth::AccessClaims& claims) {
  auto issued = issuer.issue(claims);
  if (auto* token = std::get_if<std::string>(&issued)) return std::move(*token);
  const auto& e = std::get<auth::IssueError>(issued);
  ErrorCode code = e.reason == auth::IssueError::Reason::TooLarge ? ErrorCode::PayloadTooLarge : ErrorCode::Internal;
  return ApiError{code, e.message, std::nullopt};
}

}  // namespace onair::api
