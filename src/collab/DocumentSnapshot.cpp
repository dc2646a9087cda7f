#include "collab/DocumentSnapshot.hpp"

#include <boost/json.hpp>

#include "collab/Framing.hpp"
#include "util/Base64Url.hpp"

namespace onair::collab {

std::string DocumentSnapshot::toJson() const {
  boost::json::object o;
  o["state"] = util::base64UrlEncode(textOf(state));
  o["through"] = through;
  o["epoch"] = epoch;
  return boost::json::serialize(o);
}

std::optional<DocumentSnapshot> DocumentSnapshot::parse(std::string_view json) {
  boost::system::error_code ec;
  auto value = boost::json::parse(json, ec);
  const auto* o = ec ? nullptr : value.if_object();
  if (!o) return std::nullopt;
  const auto* state = o->if_contains("state");
  const auto* through = o->if_contains("through");
  const auto* epoch = o->if_contains("epoch");
  if (!state || !state->is_string() || !through || !through->is_number() || !epoch || !epoch->is_string()) return std::nullopt;
  auto bytes = util::base64UrlDecode(state->get_string());
  auto offset = through->to_number<uint64_t>(ec);
  if (!bytes || ec) return std::nullopt;
  return DocumentSnapshot{std::vector<uint8_t>(bytes->begin(), bytes->end()), offset, std::string(epoch->get_string())};
}

}  // namespace onair::collab
