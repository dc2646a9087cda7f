// fuzz_resp: RESP2 bytes as Redis (or anything impersonating it) could send them, fed to
// RespReader in two chunks (the first byte picks the split).
// Invariants: never crashes or reads past the input; every reply stays within the limits (array
// elements in total, bulk sizes); a reply written back with toResp() parses to an equal reply;
// once the reader fails it keeps failing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/redis/RespReader.hpp"
#include "FuzzCheck.hpp"

using namespace onair::engine::redis;

namespace {

constexpr RespReader::Limits kLimits{.maxReplyBytes = 4096, .maxElements = 256};

size_t countElements(const RedisReply& reply) {
  if (!reply.isArray()) {
    check(reply.text().size() <= kLimits.maxReplyBytes);
    return 0;
  }
  size_t count = reply.elements().size();
  for (const auto& element : reply.elements()) count += countElements(element);
  return count;
}

void checkRoundTrip(const RedisReply& reply) {
  RespReader again(RespReader::Limits{.maxReplyBytes = 1 << 20, .maxElements = 1 << 16});
  again.feed(reply.toResp());
  RedisReply copy;
  check(again.next(copy) == RespReader::Status::Reply);
  check(copy == reply);
  check(again.next(copy) == RespReader::Status::NeedMore);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const size_t split = data[0] % (input.size() + 1);
  RespReader reader(kLimits);
  RedisReply reply;
  for (const auto chunk : {input.substr(0, split), input.substr(split)}) {
    reader.feed(chunk);
    for (;;) {
      const auto status = reader.next(reply);
      if (status == RespReader::Status::Error) {
        check(reader.failed() && reader.next(reply) == RespReader::Status::Error);
        return 0;
      }
      if (status == RespReader::Status::NeedMore) break;
      check(countElements(reply) <= kLimits.maxElements);
      checkRoundTrip(reply);
    }
  }
  return 0;
}
