#include "auth/GrantSet.hpp"

#include <boost/json.hpp>
#include <boost/unordered/unordered_flat_map.hpp>

namespace onair::auth {
namespace {

// The text that identifies a list of grants: each grant's string form, length-prefixed.
std::string internKey(const std::vector<Grant>& grants) {
  std::string key;
  for (const auto& g : grants) {
    const std::string text = g.toString();
    key.append(std::to_string(text.size())).append(":").append(text);
  }
  return key;
}

// This thread's shared lists, by internKey. Entries whose list is gone are swept when the
// table has doubled since the last sweep, so it stays within twice the lists in use.
std::shared_ptr<const std::vector<Grant>> intern(std::vector<Grant> grants) {
  struct Table {
    boost::unordered_flat_map<std::string, std::weak_ptr<const std::vector<Grant>>> lists;
    size_t sweepAt = 64;
  };
  thread_local Table table;
  std::string key = internKey(grants);
  auto& slot = table.lists[key];
  if (auto shared = slot.lock()) return shared;
  auto made = std::make_shared<const std::vector<Grant>>(std::move(grants));
  slot = made;
  if (table.lists.size() >= table.sweepAt) {
    boost::unordered::erase_if(table.lists, [](const auto& entry) { return entry.second.expired(); });
    table.sweepAt = std::max<size_t>(64, table.lists.size() * 2);
  }
  return made;
}

}  // namespace

GrantSet::GrantSet() : GrantSet(std::vector<Grant>{}) {}

GrantSet::GrantSet(std::vector<Grant> grants) : grants_(intern(std::move(grants))) {}

std::optional<GrantSet> GrantSet::fromStrings(const std::vector<std::string>& texts, std::string& error) {
  std::vector<Grant> grants;
  for (size_t i = 0; i < texts.size(); ++i) {
    std::string why;
    auto g = Grant::parse(texts[i], why);
    if (!g) {
      error = "grants[" + std::to_string(i) + "]: " + why;
      return std::nullopt;
    }
    grants.push_back(std::move(*g));
  }
  return GrantSet(std::move(grants));
}

std::optional<GrantSet> GrantSet::fromJson(const boost::json::value& json, std::string& error) {
  const auto* surfaces = json.if_object();
  if (!surfaces) {
    error = "grants must be an object";
    return std::nullopt;
  }
  std::vector<Grant> grants;
  for (const auto& [surface, patterns] : *surfaces) {
    const auto* byPattern = patterns.if_object();
    if (!byPattern) {
      error = "grants." + std::string(surface) + " must be an object";
      return std::nullopt;
    }
    for (const auto& [pattern, actionsJson] : *byPattern) {
      const auto* list = actionsJson.if_array();
      if (!list) {
        error = "grants." + std::string(surface) + " actions must be an array";
        return std::nullopt;
      }
      std::vector<std::string> actions;
      for (const auto& a : *list) {
        if (!a.is_string()) {
          error = "grant actions must be strings";
          return std::nullopt;
        }
        actions.emplace_back(a.get_string());
      }
      auto g = Grant::make(surface, pattern, actions, error);
      if (!g) return std::nullopt;
      grants.push_back(std::move(*g));
    }
  }
  return GrantSet(std::move(grants));
}

boost::json::value GrantSet::toJson() const {
  boost::json::object out;
  for (const auto& g : *grants_) {
    auto& bySurface = out[g.surface()];
    if (!bySurface.is_object()) bySurface = boost::json::object();
    auto& list = bySurface.as_object()[g.pattern()];
    if (!list.is_array()) list = boost::json::array();
    for (const auto& a : g.actions()) list.as_array().emplace_back(a);
  }
  return out;
}

std::vector<std::string> GrantSet::toStrings() const {
  std::vector<std::string> out;
  out.reserve(grants_->size());
  for (const auto& g : *grants_) out.push_back(g.toString());
  return out;
}

bool GrantSet::allows(std::string_view surface, std::string_view name, std::string_view action) const {
  for (const auto& g : *grants_) {
    if (g.allows(surface, name, action)) return true;
  }
  return false;
}

}  // namespace onair::auth
