// fuzz_cluster_slots: RESP2 bytes as a Redis Cluster node (or anything impersonating it) could
// answer CLUSTER SLOTS, read by RespReader and then ClusterSlots::parse; every reply's error or
// bulk text also goes to ClusterRedirect::parse (MOVED/ASK), and so does the raw input.
// Invariants: never crashes; an accepted map serves at most 16384 slots, each from a master with
// a non-empty host within the size limit and a port in 1..65535, each master listed once; an
// accepted redirection names a slot < 16384 and a port >= 1, and written back as text it parses
// to the same redirection.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/redis/RespReader.hpp"
#include "engine/redis/cluster/ClusterRedirect.hpp"
#include "engine/redis/cluster/ClusterSlots.hpp"
#include "FuzzCheck.hpp"

using namespace onair::engine::redis;
using namespace onair::engine::redis::cluster;

namespace {

constexpr RespReader::Limits kLimits{.maxReplyBytes = 65536, .maxElements = 4096};

void checkNode(const ClusterNode& node) {
  check(!node.host.empty() && node.host.size() <= ClusterSlots::kMaxHostBytes);
  check(node.port >= 1);
}

void checkSlots(const RedisReply& reply) {
  const auto parsed = ClusterSlots::parse(reply, "127.0.0.1");
  const auto* slots = std::get_if<ClusterSlots>(&parsed);
  if (slots == nullptr) {
    check(!std::get<std::string>(parsed).empty());
    return;
  }
  size_t served = 0;
  for (unsigned slot = 0; slot < HashSlot::kSlots; ++slot) {
    const ClusterNode* master = slots->masterOf(static_cast<uint16_t>(slot));
    if (master == nullptr) continue;
    ++served;
    checkNode(*master);
  }
  check(served == slots->coverage());
  const auto& masters = slots->masters();
  for (size_t i = 0; i < masters.size(); ++i) {
    for (size_t j = i + 1; j < masters.size(); ++j) check(masters[i].address() != masters[j].address());
  }
  for (const auto& node : slots->nodes()) checkNode(node);
}

void checkRedirect(std::string_view text) {
  const auto redirect = ClusterRedirect::parse(text);
  if (!redirect) return;
  check(redirect->slot < HashSlot::kSlots && redirect->target.port >= 1);
  const std::string again = std::string(redirect->kind == ClusterRedirect::Kind::Ask ? "ASK " : "MOVED ") +
                            std::to_string(redirect->slot) + " " + redirect->target.address();
  const auto reparsed = ClusterRedirect::parse(again);
  check(reparsed.has_value() && *reparsed == *redirect);
}

void checkTexts(const RedisReply& reply) {
  if (reply.isArray()) {
    for (const auto& element : reply.elements()) checkTexts(element);
    return;
  }
  checkRedirect(reply.text());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  checkRedirect(input);
  RespReader reader(kLimits);
  reader.feed(input);
  RedisReply reply;
  while (reader.next(reply) == RespReader::Status::Reply) {
    checkSlots(reply);
    checkTexts(reply);
  }
  return 0;
}
