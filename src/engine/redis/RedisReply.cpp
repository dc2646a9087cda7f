#include "engine/redis/RedisReply.hpp"

#include <fmt/format.h>

namespace onair::engine::redis {

RedisReply RedisReply::integer(int64_t value) {
  RedisReply reply;
  reply.type_ = Type::Integer;
  reply.integer_ = value;
  return reply;
}

RedisReply RedisReply::status(std::string text) {
  RedisReply reply;
  reply.type_ = Type::Status;
  reply.text_ = std::move(text);
  return reply;
}

RedisReply RedisReply::error(std::string text) {
  RedisReply reply = status(std::move(text));
  reply.type_ = Type::Error;
  return reply;
}

RedisReply RedisReply::bulk(std::string bytes) {
  RedisReply reply = status(std::move(bytes));
  reply.type_ = Type::Bulk;
  return reply;
}

RedisReply RedisReply::array(std::vector<RedisReply> elements) {
  RedisReply reply;
  reply.type_ = Type::Array;
  reply.elements_ = std::move(elements);
  return reply;
}

bool RedisReply::isText(std::string_view text) const {
  return (type_ == Type::Bulk || type_ == Type::Status) && text_ == text;
}

std::string RedisReply::toResp() const {
  std::string out;
  appendResp(out);
  return out;
}

void RedisReply::appendResp(std::string& out) const {
  switch (type_) {
    case Type::Nil: out += "$-1\r\n"; return;
    case Type::Integer: fmt::format_to(std::back_inserter(out), ":{}\r\n", integer_); return;
    case Type::Status: out += '+'; out += text_; out += "\r\n"; return;
    case Type::Error: out += '-'; out += text_; out += "\r\n"; return;
    case Type::Bulk:
      fmt::format_to(std::back_inserter(out), "${}\r\n", text_.size());
      out += text_;
      out += "\r\n";
      return;
    case Type::Array:
      fmt::format_to(std::back_inserter(out), "*{}\r\n", elements_.size());
      for (const auto& element : elements_) element.appendResp(out);
      return;
  }
}

}  // namespace onair::engine::redis
