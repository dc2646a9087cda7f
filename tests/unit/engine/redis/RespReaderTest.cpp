#include "engine/redis/RespReader.hpp"

#include <gtest/gtest.h>

#include "engine/redis/RedisCommand.hpp"

using namespace onair::engine::redis;

namespace {

std::vector<RedisReply> readAll(RespReader& reader, std::string_view bytes) {
  reader.feed(bytes);
  std::vector<RedisReply> replies;
  RedisReply reply;
  while (reader.next(reply) == RespReader::Status::Reply) replies.push_back(reply);
  return replies;
}

}  // namespace

TEST(RespReader, ReadsEveryType) {
  RespReader reader;
  const auto replies = readAll(reader, "+OK\r\n-ERR bad\r\n:-42\r\n$3\r\nfoo\r\n$-1\r\n*-1\r\n*2\r\n:1\r\n*1\r\n$0\r\n\r\n");
  ASSERT_EQ(replies.size(), 7u);
  EXPECT_EQ(replies[0], RedisReply::status("OK"));
  EXPECT_EQ(replies[1], RedisReply::error("ERR bad"));
  EXPECT_EQ(replies[2], RedisReply::integer(-42));
  EXPECT_EQ(replies[3], RedisReply::bulk("foo"));
  EXPECT_TRUE(replies[4].isNil());
  EXPECT_TRUE(replies[5].isNil());
  EXPECT_EQ(replies[6], RedisReply::array({RedisReply::integer(1), RedisReply::array({RedisReply::bulk("")})}));
  EXPECT_FALSE(reader.failed());
}

TEST(RespReader, AssemblesRepliesFedOneByteAtATime) {
  const std::string bytes = "*3\r\n$5\r\nab\r\nc\r\n:7\r\n+x y\r\n";
  RespReader reader;
  RedisReply reply;
  for (size_t i = 0; i + 1 < bytes.size(); ++i) {
    reader.feed(bytes.substr(i, 1));
    ASSERT_EQ(reader.next(reply), RespReader::Status::NeedMore) << i;
  }
  reader.feed(bytes.substr(bytes.size() - 1));
  ASSERT_EQ(reader.next(reply), RespReader::Status::Reply);
  EXPECT_EQ(reply, RedisReply::array({RedisReply::bulk("ab\r\nc"), RedisReply::integer(7), RedisReply::status("x y")}));
}

TEST(RespReader, BulkStringsAreBinarySafe) {
  const std::string binary("a\0b\r\n\xff", 6);
  RespReader reader;
  const auto replies = readAll(reader, RedisReply::bulk(binary).toResp());
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].text(), binary);
}

TEST(RespReader, BadTypeBytePoisonsTheReader) {
  RespReader reader;
  EXPECT_TRUE(readAll(reader, "?what\r\n").empty());
  EXPECT_TRUE(reader.failed());
  EXPECT_NE(reader.error().find("Protocol error"), std::string::npos) << reader.error();
  RedisReply reply;
  reader.feed("+OK\r\n");
  EXPECT_EQ(reader.next(reply), RespReader::Status::Error);
}

TEST(RespReader, RefusesBulkOverTheLimit) {
  RespReader reader({.maxReplyBytes = 16, .maxElements = 100});
  EXPECT_TRUE(readAll(reader, "$17\r\n01234567890123456\r\n").empty());
  EXPECT_TRUE(reader.failed());
  EXPECT_NE(reader.error().find("larger than 16 bytes"), std::string::npos) << reader.error();
}

TEST(RespReader, RefusesAnUnfinishedReplyOverTheLimitBeforeItCompletes) {
  RespReader reader({.maxReplyBytes = 64, .maxElements = 1000});
  // Declares a huge bulk and trickles it in: the reader gives up once it holds over 64 bytes.
  EXPECT_TRUE(readAll(reader, "$100000\r\n").empty());
  EXPECT_FALSE(reader.failed());
  EXPECT_TRUE(readAll(reader, std::string(80, 'x')).empty());
  EXPECT_TRUE(reader.failed());
}

TEST(RespReader, RefusesAbsurdLengthsWithoutReadingPastTheInput) {
  RespReader reader;
  EXPECT_TRUE(readAll(reader, "$9223372036854775807\r\nabc\r\n").empty());
  RespReader second;
  EXPECT_TRUE(readAll(second, "$18446744073709551613\r\nab\r\n").empty());
  RespReader third;
  EXPECT_TRUE(readAll(third, "*-5\r\n").empty());
  EXPECT_TRUE(third.failed());
}

TEST(RespReader, RefusesTooManyElements) {
  RespReader reader({.maxReplyBytes = 1 << 20, .maxElements = 10});
  EXPECT_TRUE(readAll(reader, "*5\r\n*6\r\n").empty());
  EXPECT_TRUE(reader.failed());
  EXPECT_NE(reader.error().find("more than 10 array elements"), std::string::npos) << reader.error();
  // The count is per reply: the next reply starts from zero.
  RespReader fresh({.maxReplyBytes = 1 << 20, .maxElements = 3});
  const auto replies = readAll(fresh, "*3\r\n:1\r\n:2\r\n:3\r\n*3\r\n:1\r\n:2\r\n:3\r\n");
  EXPECT_EQ(replies.size(), 2u);
  EXPECT_FALSE(fresh.failed());
}

TEST(RespReader, RefusesNestingDeeperThanHiredisSupports) {
  RespReader reader;
  std::string nested;
  for (int i = 0; i < 20; ++i) nested += "*1\r\n";
  EXPECT_TRUE(readAll(reader, nested + ":1\r\n").empty());
  EXPECT_TRUE(reader.failed());
}

TEST(RespReader, RoundTripsThroughToResp) {
  const auto reply = RedisReply::array({RedisReply::status("OK"), RedisReply::error("E x"), RedisReply::nil(),
                                        RedisReply::integer(INT64_MIN), RedisReply::bulk(std::string("\0\r\n", 3)),
                                        RedisReply::array({})});
  RespReader reader;
  const auto replies = readAll(reader, reply.toResp());
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0], reply);
}

TEST(RedisCommand, FormatsArgumentsAsBulkStrings) {
  EXPECT_EQ(RedisCommand::format({"SET", "k", std::string("a\0b", 3)}),
            std::string("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\na\0b\r\n", 29));
  EXPECT_THROW(RedisCommand::format({}), std::invalid_argument);
}
