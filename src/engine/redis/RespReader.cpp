#include "engine/redis/RespReader.hpp"

#include <fmt/format.h>
#include <hiredis/hiredis.h>

#include <utility>

namespace onair::engine::redis {

namespace {
// hiredis's callbacks get only the task, so the reader being driven is known per thread while
// redisReaderGetReply runs (callbacks happen only inside it).
thread_local RespReader* tCurrent = nullptr;
}  // namespace

// hiredis object callbacks. A null return makes hiredis stop with an error (and free the root
// built so far through freeObject).
struct RespReaderCallbacks {
  static void* createString(const redisReadTask* task, char* bytes, size_t length) {
    if (!tCurrent->admitBytes(length)) return nullptr;
    std::string text(bytes, length);
    switch (task->type) {
      case REDIS_REPLY_STATUS: return tCurrent->place(task, RedisReply::status(std::move(text)));
      case REDIS_REPLY_ERROR: return tCurrent->place(task, RedisReply::error(std::move(text)));
      default: return tCurrent->place(task, RedisReply::bulk(std::move(text)));
    }
  }
  static void* createArray(const redisReadTask* task, int count) {
    if (!tCurrent->admitElements(count)) return nullptr;
    return tCurrent->place(task, RedisReply::array(std::vector<RedisReply>(static_cast<size_t>(count))));
  }
  static void* createInteger(const redisReadTask* task, long long value) {
    return tCurrent->place(task, RedisReply::integer(value));
  }
  static void* createNil(const redisReadTask* task) { return tCurrent->place(task, RedisReply::nil()); }
  // Only ever called on a root: children live inside their parent's elements.
  static void freeObject(void* object) { delete static_cast<RedisReply*>(object); }
};

namespace {
redisReplyObjectFunctions kFunctions = {
    RespReaderCallbacks::createString, RespReaderCallbacks::createArray, RespReaderCallbacks::createInteger,
    RespReaderCallbacks::createNil, RespReaderCallbacks::freeObject};

// Sets tCurrent for the duration of a parse, restoring it after (readers may nest on a thread
// only in tests, but restoring costs nothing).
class CurrentReader {
 public:
  explicit CurrentReader(RespReader* reader) : previous_(std::exchange(tCurrent, reader)) {}
  ~CurrentReader() { tCurrent = previous_; }

 private:
  RespReader* previous_;
};
}  // namespace

RespReader::RespReader(Limits limits) : limits_(limits), reader_(redisReaderCreateWithFunctions(&kFunctions)) {}

RespReader::~RespReader() { redisReaderFree(reader_); }

void RespReader::feed(std::string_view bytes) {
  if (failed() || bytes.empty()) return;
  if (redisReaderFeed(reader_, bytes.data(), bytes.size()) != REDIS_OK) {
    fail(reader_->errstr);
    return;
  }
  fed_ += bytes.size();
}

RespReader::Status RespReader::next(RedisReply& out) {
  if (failed()) return Status::Error;
  void* raw = nullptr;
  int rc = REDIS_OK;
  {
    CurrentReader current(this);
    rc = redisReaderGetReply(reader_, &raw);
  }
  // A refused value surfaces as hiredis's out-of-memory error; report the real reason.
  if (rc != REDIS_OK) {
    fail(limitError_.empty() ? std::string(reader_->errstr) : limitError_);
    return Status::Error;
  }
  if (raw == nullptr) {
    // Bytes of the unfinished reply: what hiredis holds plus what it has already converted.
    if (fed_ - replyStart_ > limits_.maxReplyBytes) {
      fail(fmt::format("reply larger than {} bytes", limits_.maxReplyBytes));
      return Status::Error;
    }
    return Status::NeedMore;
  }
  auto* reply = static_cast<RedisReply*>(raw);
  out = std::move(*reply);
  delete reply;
  replyStart_ = consumed();
  replyElements_ = 0;
  return Status::Reply;
}

size_t RespReader::consumed() const { return fed_ - (reader_->len - reader_->pos); }

void* RespReader::place(const redisReadTask* task, RedisReply&& value) {
  if (task->parent == nullptr) return new RedisReply(std::move(value));
  // Arrays are created at their final size, so a slot's address stays valid while children fill.
  auto* parent = static_cast<RedisReply*>(task->parent->obj);
  auto& slot = parent->elements()[static_cast<size_t>(task->idx)];
  slot = std::move(value);
  return &slot;
}

bool RespReader::admitElements(long long count) {
  if (count < 0 || static_cast<unsigned long long>(count) > limits_.maxElements - replyElements_) {
    limitError_ = fmt::format("reply with more than {} array elements", limits_.maxElements);
    return false;
  }
  replyElements_ += static_cast<size_t>(count);
  return true;
}

bool RespReader::admitBytes(size_t bytes) {
  // Also the guard against hiredis 0.14's unchecked bulk length (it may pass a wrapped value).
  if (bytes > limits_.maxReplyBytes) {
    limitError_ = fmt::format("reply larger than {} bytes", limits_.maxReplyBytes);
    return false;
  }
  return true;
}

void RespReader::fail(std::string why) {
  if (why.empty()) why = "protocol error";
  error_ = std::move(why);
}

}  // namespace onair::engine::redis
