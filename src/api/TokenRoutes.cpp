#include "api/TokenRoutes.hpp"

#include <boost/json.hpp>

#include "api/HttpReply.hpp"
#include "api/HttpRouter.hpp"
#include "api/TokenMinting.hpp"
#include "util/Time.hpp"

namespace onair::api {
namespace {

// Parses and checks the body; on failure returns the error naming the field.
std::variant<auth::AccessClaims, ApiError> readClaims(const std::string& body, int64_t maxTtl) {
  boost::system::error_code ec;
  boost::json::parse_options opts;
  opts.max_depth = 8;
  auto v = boost::json::parse(body, ec, {}, opts);
  if (ec || !v.is_object()) return ApiError::invalidArgument("body must be a JSON object");
  auto& o = v.as_object();
  auth::AccessClaims c;
  auto* user = o.if_contains("userId");
  if (!user || !user->is_string() || user->as_string().empty() || user->as_string().size() > 255) {
    return ApiError::invalidArgument("userId must be a string of 1 to 255 bytes");
  }
  c.userId = user->as_string();
  auto* ttl = o.if_contains("ttl");
  if (!ttl || !ttl->is_number() || ttl->to_number<double>() < 1 ||
      ttl->to_number<double>() > static_cast<double>(maxTtl)) {
    return ApiError::invalidArgument("ttl must be a number of seconds from 1 to " + std::to_string(maxTtl));
  }
  auto* grants = o.if_contains("grants");
  if (!grants || !grants->is_array()) return ApiError::invalidArgument("grants must be an array of grant strings");
  std::vector<std::string> texts;
  for (size_t i = 0; i < grants->as_array().size(); ++i) {
    const auto& g = grants->as_array()[i];
    if (!g.is_string()) return ApiError::invalidArgument("grants[" + std::to_string(i) + "] must be a string");
    texts.emplace_back(g.as_string());
  }
  std::string why;
  auto set = auth::GrantSet::fromStrings(texts, why);
  if (!set) return ApiError::invalidArgument(why);
  c.grants = std::move(*set);
  if (auto* name = o.if_contains("name"); name && !name->is_null()) {
    if (!name->is_string()) return ApiError::invalidArgument("name must be a string");
    c.name = name->as_string();
  }
  if (auto* scope = o.if_contains("scope"); scope && !scope->is_null()) {
    if (!scope->is_string()) return ApiError::invalidArgument("scope must be a string");
    c.scope = std::string(scope->as_string());
  }
  if (auto* attrs = o.if_contains("attributes"); attrs && !attrs->is_null()) {
    if (!attrs->is_object()) return ApiError::invalidArgument("attributes must be an object of strings");
    for (const auto& [k, val] : attrs->as_object()) {
      if (!val.is_string()) return ApiError::invalidArgument("attributes." + std::string(k) + " must be a string");
      c.attributes.emplace(std::string(k), std::string(val.as_string()));
    }
  }
  int64_t now = util::epochSeconds();
  c.issuedAt = c.notBefore = now;
  c.expiresAt = now + static_cast<int64_t>(ttl->to_number<double>());
  return c;
}

}  // namespace

void registerTokenRoutes(HttpRouter& router, const auth::TokenIssuer& issuer, int64_t maxTtlSeconds) {
  router.add("POST", "/v1/tokens", HttpRouter::Access::ApiKey,
             [&issuer, maxTtlSeconds](net::EventLoop&, const net::HttpRequest& req, HttpRouter::Respond respond) {
               auto claims = readClaims(req.body, maxTtlSeconds);
               if (auto* e = std::get_if<ApiError>(&claims)) return respond(errorReply(*e));
               auto& c = std::get<auth::AccessClaims>(claims);
               auto token = mintToken(issuer, c);
               if (auto* e = std::get_if<ApiError>(&token)) return respond(errorReply(*e));
               respond(jsonReply(200, boost::json::object{{"token", std::get<std::string>(token)},
                                                          {"expiresAt", util::isoTimeFromSeconds(c.expiresAt)}}));
             });
}

}  // namespace onair::api
