// fuzz_stream_args: the arguments of the stream-room ops and HTTP routes (streams.createStreamRoom,
// updateStreamRoom, listStreamRooms, /v1/streams/rooms) and of the media ops (streams.publish,
// streams.subscribe: the offer, tracks and subscriptions), straight from clients, and the base64
// check of their opaque metas.
// Invariants: nothing crashes; when StreamRoomArgs reports no error, what it read is within the
// documented bounds (context id 1–128 bytes, user ids 1–255 bytes and distinct, limit 1–1000;
// track kinds audio or video with a mid or data without one, mids and data track ids distinct);
// OpaqueMeta::decodedSize accepts only padded standard base64 and then reports exactly the bytes
// the text stands for, never more than maxDecodedSize.
#include <boost/json.hpp>
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/ArgReader.hpp"
#include "streams/MediaArgs.hpp"
#include "streams/OpaqueMeta.hpp"
#include "streams/StreamRoomArgs.hpp"
#include "FuzzCheck.hpp"

using onair::streams::MediaArgs;
using onair::streams::OpaqueMeta;
using onair::streams::StreamRoomArgs;

namespace {

void checkUsers(const std::vector<std::string>& ids) {
  for (size_t i = 0; i < ids.size(); ++i) {
    check(!ids[i].empty() && ids[i].size() <= 255);
    check(std::find(ids.begin() + static_cast<std::ptrdiff_t>(i) + 1, ids.end(), ids[i]) == ids.end());
  }
}

void checkMeta(std::string_view text) {
  const auto size = OpaqueMeta::decodedSize(text);
  if (!size) return;
  check(*size <= OpaqueMeta::maxDecodedSize(text));
  if (text.empty()) return check(*size == 0);
  check(text.size() % 4 == 0);
  const size_t padding = text.ends_with("==") ? 2 : text.ends_with("=") ? 1 : 0;
  check(*size == text.size() / 4 * 3 - padding);
}

// Mids are distinct where present (data tracks have none).
template <typename Item>
void checkDistinctMids(const std::vector<Item>& items) {
  for (size_t i = 0; i < items.size(); ++i) {
    for (size_t j = i + 1; j < items.size(); ++j) check(items[i].mid.empty() || items[i].mid != items[j].mid);
  }
}

void readMedia(const boost::json::object& raw) {
  onair::api::ArgReader args(raw);
  MediaArgs::offer(args, raw);
  auto tracks = MediaArgs::tracks(args, raw);
  auto subscriptions = MediaArgs::subscriptions(args, raw);
  if (args.error()) return;
  checkDistinctMids(tracks);
  for (const auto& t : tracks) check(((t.kind == "audio" || t.kind == "video") && !t.mid.empty()) || (t.kind == "data" && t.mid.empty()));
  for (size_t i = 0; i < tracks.size(); ++i) {
    for (size_t j = i + 1; j < tracks.size(); ++j) check(tracks[i].kind != "data" || tracks[j].kind != "data" || tracks[i].trackId != tracks[j].trackId);
  }
  checkDistinctMids(subscriptions);
}

void readAll(const boost::json::object& raw) {
  readMedia(raw);
  {
    onair::api::ArgReader args(raw);
    auto spec = StreamRoomArgs::spec(args, raw, true);
    if (!args.error()) {
      check(!spec.contextId.empty() && spec.contextId.size() <= 128);
      checkUsers(spec.users);
      checkUsers(spec.managers);
      checkMeta(spec.publicMeta);
      checkMeta(spec.privateMeta);
    }
  }
  {
    onair::api::ArgReader args(raw);
    auto update = StreamRoomArgs::update(args, raw);
    if (!args.error()) {
      check(raw.contains("version"));
      checkUsers(update.spec.users);
    }
  }
  {
    onair::api::ArgReader args(raw);
    auto query = StreamRoomArgs::listQuery(args);
    if (!args.error()) check(query.limit >= 1 && query.limit <= 1000 && !query.contextId.empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;  // the ops' messages are bounded long before this (ws.max_message_bytes)
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  checkMeta(text);
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(text, ec);
  if (ec || !value.is_object()) return 0;
  readAll(value.as_object());
  return 0;
}
