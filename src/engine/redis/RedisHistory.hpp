#pragma once
// History on Redis (see engine/History.hpp): one Redis Stream per stream, a meta hash and the
// idempotency entries, all under the stream's hash tag; every append is one Lua script (one
// EVALSHA), so offsets, idempotency, trimming and the announcement happen atomically.
//
// Keys of stream S (RedisKeys, kind "h"), all tagged {S}:
//   <p>:h:{S}:m   hash   epoch, head (newest offset), ts (newest timestamp), ttl (ms, last append's)
//   <p>:h:{S}:l   stream entry id <offset>-0, fields t (timestampMs), p (publisher), y (type),
//                        d (data); XADD MAXLEN = maxMessages; expired entries trimmed by the
//                        scripts, the whole key expires ttl after the last append
//   <p>:h:{S}:i   hash   <len(publisher)>:<publisher>:<key> -> "<offset> <ts> <expiresMs> <sha1>"
//   <p>:h:{S}:e   zset   the same fields scored by expiresMs, to prune expired entries
// remove() deletes all four, so the next use starts a new epoch at offset 1. The meta hash of a
// stream with messages never expires: its epoch lasts until remove(), as the contract says. A
// meta a read created (head 0: no append yet) expires a default retention TTL (24 h) after the
// last read, so reads of names nobody publishes to (a client with wildcard grants) leave nothing
// behind for good; the first append persists it. Such a stream has no message to lose: if its
// epoch expires, readers holding it follow the next one from its start.
//
// Timestamps come from Redis TIME (one clock for every node), never earlier than the stream's
// previous one. Announced messages are PUBLISHed (SPUBLISHed on a Redis Cluster) by the append's
// script on the broker channel of the topic named like the stream (RedisBroker, `<p>:b:{S}`, same
// hash tag, passed in KEYS), as a BrokerEnvelope stored message: Redis runs scripts one at a time
// and pub/sub keeps order, so every node hears them in offset order.
//
// Durability: "durable" here means acknowledged by Redis. Whether that survives a Redis crash
// (AOF appendfsync everysec/always, replicas) is the operator's configuration, not ours.
//
// Every call is posted onto the engine's loop (RedisLink) and completes there; any Redis failure
// (down, timeout, error reply, reply of an unexpected shape) completes with an EngineError.
#include "engine/History.hpp"
#include "engine/redis/RedisLink.hpp"

namespace onair::engine::redis {

class RedisHistory final : public History {
 public:
  explicit RedisHistory(RedisLink& link) : link_(link) {}
  void append(AppendRequest request, std::function<void(Outcome<AppendResult>)> done) override;
  void read(ReadRequest request, std::function<void(Outcome<ReadResult>)> done) override;
  void trim(TrimRequest request, std::function<void(Outcome<Done>)> done) override;
  void remove(std::string stream, std::function<void(Outcome<Done>)> done) override;

 private:
  std::vector<std::string> keysOf(const std::string& stream) const;

  RedisLink& link_;
};

}  // namespace onair::engine::redis
