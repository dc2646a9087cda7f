#pragma once
// Registry in Redis (see engine/Registry.hpp). STUB: being written.
#include "engine/Registry.hpp"
#include "engine/redis/RedisLink.hpp"

namespace onair::engine::redis {

class RedisRegistry final : public Registry {
 public:
  explicit RedisRegistry(RedisLink& link) : link_(link) {}
  void get(std::string key, std::function<void(Outcome<std::optional<Record>>)> done) override;
  void put(std::string key, std::string value, std::optional<uint64_t> expectedVersion,
           std::function<void(Outcome<PutResult>)> done) override;
  void remove(std::string key, std::function<void(Outcome<Done>)> done) override;
  void addMember(std::string key, std::string member, std::function<void(Outcome<bool>)> done) override;
  void removeMember(std::string key, std::string member, std::function<void(Outcome<bool>)> done) override;

 private:
  RedisLink& link_;
};

}  // namespace onair::engine::redis
