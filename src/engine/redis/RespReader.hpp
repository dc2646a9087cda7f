#pragma once
// Incremental RESP2 reader (see RedisReply.hpp for the wire format): bytes from the socket go
// in, whole replies come out. Wraps hiredis's redisReader (the parser) and converts what it
// builds straight into RedisReply values through hiredis's object callbacks.
//
// Contract: pure (no I/O) and bounded. A reply whose bytes exceed Limits::maxReplyBytes, or whose
// arrays hold more than Limits::maxElements values in total, or any protocol error (a bad type
// byte, arrays nested deeper than hiredis's 7 levels) poisons the reader: next() returns Error
// from then on and error() says why. The connection that fed it must be dropped, since the
// stream can no longer be framed. hiredis 0.14 has neither a bulk-size nor an element cap (and
// overflows on absurd lengths), so both are enforced here, before hiredis touches the bytes.
// Not thread-safe; one reader per connection.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/redis/RedisReply.hpp"

struct redisReader;
struct redisReadTask;

namespace onair::engine::redis {

class RespReader {
 public:
  struct Limits {
    size_t maxReplyBytes = 64 * 1024 * 1024;
    size_t maxElements = 1024 * 1024;
  };
  enum class Status { Reply, NeedMore, Error };

  RespReader() : RespReader(Limits{}) {}
  explicit RespReader(Limits limits);
  ~RespReader();
  RespReader(const RespReader&) = delete;
  RespReader& operator=(const RespReader&) = delete;

  // Appends bytes to parse. Ignored once poisoned.
  void feed(std::string_view bytes);
  // Takes the next whole reply into `out` (Reply), or says more bytes are needed, or Error.
  Status next(RedisReply& out);
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }

 private:
  friend struct RespReaderCallbacks;
  void* place(const redisReadTask* task, RedisReply&& value);
  bool admitElements(long long count);
  bool admitBytes(size_t bytes);
  void fail(std::string why);
  size_t consumed() const;

  Limits limits_;
  redisReader* reader_ = nullptr;
  std::string error_;
  uint64_t fed_ = 0;           // bytes fed since construction
  uint64_t replyStart_ = 0;    // offset in that stream where the reply being read starts
  size_t replyElements_ = 0;   // array slots of the reply being read
  std::string limitError_;     // set by a callback that refused a value
};

}  // namespace onair::engine::redis
