#pragma once
// History on Redis Streams (see engine/History.hpp). STUB: being written.
#include "engine/History.hpp"
#include "engine/redis/RedisLink.hpp"

namespace onair::engine::redis {

class RedisHistory final : public History {
 public:
  explicit RedisHistory(RedisLink& link) : link_(link) {}
  void append(AppendRequest request, std::function<void(Outcome<AppendResult>)> done) override;
  void read(ReadRequest request, std::function<void(Outcome<ReadResult>)> done) override;
  void remove(std::string stream, std::function<void(Outcome<Done>)> done) override;

 private:
  RedisLink& link_;
};

}  // namespace onair::engine::redis
