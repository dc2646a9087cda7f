#include "engine/redis/cluster/ClusterSlots.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace onair::engine::redis::cluster {

namespace {

using Parsed = std::variant<ClusterSlots, std::string>;

std::optional<uint16_t> slotNumber(const RedisReply& reply) {
  if (reply.type() != RedisReply::Type::Integer) return std::nullopt;
  if (reply.integer() < 0 || reply.integer() >= HashSlot::kSlots) return std::nullopt;
  return static_cast<uint16_t>(reply.integer());
}

// One node entry: [host, port, id?, ...]. Nothing for an unknown endpoint ("?"); an error text
// for a malformed entry.
std::variant<std::optional<ClusterNode>, std::string> readNode(const RedisReply& reply, std::string_view answeringHost) {
  if (!reply.isArray() || reply.elements().size() < 2) return std::string("a node entry is not [host, port, ...]");
  const auto& parts = reply.elements();
  if (parts[0].type() != RedisReply::Type::Bulk && parts[0].type() != RedisReply::Type::Status)
    return std::string("a node's host is not a string");
  if (parts[0].text().size() > ClusterSlots::kMaxHostBytes) return std::string("a node's host is too long");
  if (parts[1].type() != RedisReply::Type::Integer || parts[1].integer() < 1 || parts[1].integer() > 65535)
    return std::string("a node's port is not in 1..65535");
  if (parts[0].text() == "?") return std::optional<ClusterNode>();
  ClusterNode node;
  node.host = parts[0].text().empty() ? std::string(answeringHost) : parts[0].text();
  node.port = static_cast<uint16_t>(parts[1].integer());
  if (parts.size() > 2 && parts[2].type() == RedisReply::Type::Bulk && parts[2].text().size() <= ClusterSlots::kMaxIdBytes)
    node.id = parts[2].text();
  if (node.host.empty()) return std::optional<ClusterNode>();
  return std::optional<ClusterNode>(std::move(node));
}

}  // namespace

ClusterSlots::ClusterSlots() { owner_.fill(kNobody); }

Parsed ClusterSlots::parse(const RedisReply& reply, std::string_view answeringHost) {
  if (!reply.isArray()) return std::string("CLUSTER SLOTS did not answer an array");
  if (reply.elements().size() > kMaxRanges) return std::string("CLUSTER SLOTS answered too many ranges");
  ClusterSlots out;
  for (const auto& range : reply.elements()) {
    if (!range.isArray() || range.elements().size() < 3) return std::string("a slot range is not [first, last, master, ...]");
    const auto& parts = range.elements();
    if (parts.size() > 3 + kMaxReplicas) return std::string("a slot range has too many replicas");
    const auto first = slotNumber(parts[0]);
    const auto last = slotNumber(parts[1]);
    if (!first || !last || *first > *last) return std::string("a slot range's bounds are not slots first <= last");
    auto master = readNode(parts[2], answeringHost);
    if (auto* error = std::get_if<std::string>(&master)) return std::move(*error);
    for (size_t i = 3; i < parts.size(); ++i) {
      auto replica = readNode(parts[i], answeringHost);
      if (auto* error = std::get_if<std::string>(&replica)) return std::move(*error);
      auto& node = std::get<std::optional<ClusterNode>>(replica);
      if (node && std::find(out.replicas_.begin(), out.replicas_.end(), *node) == out.replicas_.end())
        out.replicas_.push_back(std::move(*node));
    }
    const auto& node = std::get<std::optional<ClusterNode>>(master);
    for (unsigned slot = *first; slot <= *last; ++slot) {
      if (out.owner_[slot] != kNobody) return fmt::format("slot {} is claimed twice", slot);
      if (node) out.owner_[slot] = out.indexOf(*node);
    }
  }
  out.collectMasters();
  return out;
}

const ClusterNode* ClusterSlots::masterOf(uint16_t slot) const {
  if (slot >= HashSlot::kSlots || owner_[slot] == kNobody) return nullptr;
  return &known_[owner_[slot]];
}

std::vector<ClusterNode> ClusterSlots::nodes() const {
  std::vector<ClusterNode> all = masters_;
  for (const auto& replica : replicas_) {
    if (std::find(all.begin(), all.end(), replica) == all.end()) all.push_back(replica);
  }
  return all;
}

size_t ClusterSlots::coverage() const {
  return static_cast<size_t>(std::count_if(owner_.begin(), owner_.end(), [](uint16_t i) { return i != kNobody; }));
}

void ClusterSlots::assign(uint16_t slot, const ClusterNode& master) {
  // known_ only grows until the next full map; bounded so that indexes stay below kNobody.
  if (slot >= HashSlot::kSlots || known_.size() >= kMaxRanges) return;
  owner_[slot] = indexOf(master);
  collectMasters();
}

bool ClusterSlots::sameOwners(const ClusterSlots& other) const {
  for (size_t slot = 0; slot < HashSlot::kSlots; ++slot) {
    const ClusterNode* mine = masterOf(static_cast<uint16_t>(slot));
    const ClusterNode* theirs = other.masterOf(static_cast<uint16_t>(slot));
    if ((mine == nullptr) != (theirs == nullptr)) return false;
    if (mine && (mine->host != theirs->host || mine->port != theirs->port)) return false;
  }
  return true;
}

// Nodes are matched by address: a MOVED names no id.
uint16_t ClusterSlots::indexOf(const ClusterNode& node) {
  for (size_t i = 0; i < known_.size(); ++i) {
    if (known_[i].host == node.host && known_[i].port == node.port) {
      if (known_[i].id.empty()) known_[i].id = node.id;
      return static_cast<uint16_t>(i);
    }
  }
  known_.push_back(node);
  return static_cast<uint16_t>(known_.size() - 1);
}

void ClusterSlots::collectMasters() {
  std::vector<bool> seen(known_.size(), false);
  masters_.clear();
  for (const uint16_t index : owner_) {
    if (index == kNobody || seen[index]) continue;
    seen[index] = true;
    masters_.push_back(known_[index]);
  }
}

}  // namespace onair::engine::redis::cluster
