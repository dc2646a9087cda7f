#include "streams/StreamRoomArgs.hpp"

#include <algorithm>

namespace onair::streams {
namespace {

namespace json = boost::json;

// An array of user ids; repeated ids are kept once, in first-seen order.
std::vector<std::string> userIds(api::ArgReader& args, const json::object& raw, const char* field) {
  std::vector<std::string> out;
  if (args.error()) return out;
  const auto* v = raw.if_contains(field);
  if (!v || !v->is_array()) {
    args.fail(std::string(field) + " is required: an array of user ids");
    return out;
  }
  for (const auto& id : v->as_array()) {
    if (!id.is_string() || id.as_string().empty() || id.as_string().size() > 255) {
      args.fail(std::string(field) + " entries must be user ids (strings of 1–255 bytes)");
      return {};
    }
    if (std::find(out.begin(), out.end(), id.as_string()) == out.end()) out.emplace_back(id.as_string());
  }
  return out;
}

// Base64 text; "" (no bytes) when absent or null.
std::string meta(api::ArgReader& args, const json::object& raw, const char* field) {
  const auto* v = raw.if_contains(field);
  if (!v || v->is_null()) return "";
  if (!v->is_string()) args.fail(std::string(field) + " must be a base64 string");
  return v->is_string() ? std::string(v->as_string()) : std::string();
}

bool flag(api::ArgReader& args, const json::object& raw, const char* field) {
  const auto* v = raw.if_contains(field);
  if (!v || v->is_null()) return false;
  if (!v->is_bool()) args.fail(std::string(field) + " must be true or false");
  return v->is_bool() && v->as_bool();
}

}  // namespace

std::string StreamRoomArgs::contextId(api::ArgReader& args) { return args.string("contextId", 1, 128); }

std::string StreamRoomArgs::roomId(api::ArgReader& args) { return args.string("streamRoomId", 1, 64); }

StreamRoomSpec StreamRoomArgs::spec(api::ArgReader& args, const json::object& raw, bool withContext) {
  StreamRoomSpec spec;
  if (withContext) spec.contextId = contextId(args);
  spec.users = userIds(args, raw, "users");
  spec.managers = userIds(args, raw, "managers");
  // Metas are checked and bounded (streams.max_meta_bytes) by StreamService::check.
  spec.publicMeta = meta(args, raw, "publicMeta");
  spec.privateMeta = meta(args, raw, "privateMeta");
  if (const auto* policy = args.optionalObject("policy")) spec.policy = *policy;
  return spec;
}

StreamRoomUpdate StreamRoomArgs::update(api::ArgReader& args, const json::object& raw) {
  StreamRoomUpdate u;
  u.spec = spec(args, raw, false);
  u.version = static_cast<uint64_t>(args.integer("version", 0, INT64_MAX, -1));
  if (!args.error() && !raw.contains("version")) args.fail("version is required (the version you read)");
  u.force = flag(args, raw, "force");
  u.forceGenerateNewKey = flag(args, raw, "forceGenerateNewKey");
  return u;
}

StreamListQuery StreamRoomArgs::listQuery(api::ArgReader& args) {
  StreamListQuery q;
  q.contextId = contextId(args);
  q.skip = static_cast<uint32_t>(args.integer("skip", 0, 1000000000, 0));
  q.limit = static_cast<uint32_t>(args.integer("limit", 1, 1000, 10));
  q.ascending = args.choice("sortOrder", {"desc", "asc"}, "desc") == "asc";
  return q;
}

}  // namespace onair::streams
