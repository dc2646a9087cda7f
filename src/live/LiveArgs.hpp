#pragma once
// Argument reading shared by the live ops and the live HTTP routes.
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "api/ApiError.hpp"
#include "live/LiveService.hpp"

namespace onair::live {

struct LiveArgs {
  // {liveId, transports, widgetId?, expiresAt?, meta?} → a PublishRequest (session fields unset).
  static std::variant<PublishRequest, api::ApiError> publish(const LiveService& service, const boost::json::object& args);
  // transports as a preference list of kinds (absent → empty = the default order).
  static std::variant<std::vector<std::string>, api::ApiError> preferences(const boost::json::object& args);
};

}  // namespace onair::live
