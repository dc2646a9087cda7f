#pragma once
// One RESP2 reply as a plain value: nil, integer, simple string (status), error, bulk string or
// array (nested). Built by RespReader from hiredis's parser; owns all its bytes.
//
// RESP2 on the wire (one type byte, then CRLF-terminated lines):
//   +OK\r\n                      status       -ERR text\r\n     error
//   :1234\r\n                    integer      $3\r\nfoo\r\n     bulk (binary-safe)
//   $-1\r\n or *-1\r\n           nil          *2\r\n<reply><reply> array
//
// Contract: a value type (copyable, comparable). toResp() writes the reply back in RESP2 (nil as
// `$-1`), so that parsing it again gives an equal reply; tests and the fuzz target use it.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace onair::engine::redis {

class RedisReply {
 public:
  enum class Type : uint8_t { Nil, Integer, Status, Error, Bulk, Array };

  RedisReply() = default;  // nil
  static RedisReply nil() { return {}; }
  static RedisReply integer(int64_t value);
  static RedisReply status(std::string text);
  static RedisReply error(std::string text);
  static RedisReply bulk(std::string bytes);
  static RedisReply array(std::vector<RedisReply> elements);

  Type type() const { return type_; }
  bool isNil() const { return type_ == Type::Nil; }
  bool isError() const { return type_ == Type::Error; }
  bool isArray() const { return type_ == Type::Array; }
  // True for a bulk or status reply whose bytes equal `text`.
  bool isText(std::string_view text) const;

  int64_t integer() const { return integer_; }
  // The bytes of a status, error or bulk reply (empty otherwise).
  const std::string& text() const { return text_; }
  const std::vector<RedisReply>& elements() const { return elements_; }
  std::vector<RedisReply>& elements() { return elements_; }

  std::string toResp() const;
  void appendResp(std::string& out) const;

  bool operator==(const RedisReply&) const = default;

 private:
  Type type_ = Type::Nil;
  int64_t integer_ = 0;
  std::string text_;
  std::vector<RedisReply> elements_;
};

}  // namespace onair::engine::redis
