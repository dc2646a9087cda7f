#include "api/Envelope.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

using namespace onair::api;

namespace {
std::string errorMessage(std::string_view text) {
  auto r = Envelope::decode(text);
  auto* e = std::get_if<EnvelopeError>(&r);
  return e ? e->error.message : "";
}
}  // namespace

TEST(Envelope, DecodesRequest) {
  auto r = Envelope::decode(R"({"id":7,"op":"rooms.join","args":{"room":"a"}})");
  ASSERT_TRUE(std::holds_alternative<Request>(r));
  auto& req = std::get<Request>(r);
  EXPECT_EQ(req.id.as_int64(), 7);
  EXPECT_EQ(req.op, "rooms.join");
  EXPECT_EQ(req.args.at("room").as_string(), "a");
}

TEST(Envelope, ArgsAreOptionalAndIdsMayBeStrings) {
  auto r = Envelope::decode(R"({"id":"abc","op":"sys.ping"})");
  ASSERT_TRUE(std::holds_alternative<Request>(r));
  EXPECT_TRUE(std::get<Request>(r).args.empty());
}

TEST(Envelope, RejectsBadInputWithInvalidArgument) {
  EXPECT_NE(errorMessage("{not json").find("not valid JSON"), std::string::npos);
  EXPECT_EQ(errorMessage("[1,2]"), "request must be a JSON object");
  EXPECT_EQ(errorMessage(R"({"op":"x"})"), "request has no id");
  EXPECT_NE(errorMessage(R"({"id":-1,"op":"x"})").find("id must be"), std::string::npos);
  EXPECT_NE(errorMessage(R"({"id":1.5,"op":"x"})").find("id must be"), std::string::npos);
  EXPECT_EQ(errorMessage(R"({"id":1})"), "request has no op (a string)");
  EXPECT_NE(errorMessage(R"({"id":1,"op":"bad op!"})").find("op must be"), std::string::npos);
  EXPECT_EQ(errorMessage(R"({"id":1,"op":"x","args":[1]})"), "args must be an object");
  auto r = Envelope::decode(R"({"id":1,"op":"x","args":5})");
  EXPECT_EQ(std::get<EnvelopeError>(r).error.code, ErrorCode::InvalidArgument);
  EXPECT_EQ(std::get<EnvelopeError>(r).id.as_int64(), 1);  // the id is echoed when it was readable
}

TEST(Envelope, ReadsMembersAsTheDomParserWould) {
  // Escapes in every field, nested args, members the envelope does not know (ignored, however
  // deep), and duplicate keys (the last one wins).
  auto r = Envelope::decode(
      R"({"x":{"id":5,"op":"no","args":[1]},"id":"a\"b","op":"sys\u002eping","op":"sys.echo",)"
      R"("args":5,"args":{"k\u0041":"v\n","n":[{"b":null},true,-3,2.5,18446744073709551615]}})");
  ASSERT_TRUE(std::holds_alternative<Request>(r)) << std::get<EnvelopeError>(r).error.message;
  auto& req = std::get<Request>(r);
  EXPECT_EQ(req.id.as_string(), "a\"b");
  EXPECT_EQ(req.op, "sys.echo");
  EXPECT_EQ(boost::json::value(req.args), boost::json::parse(R"({"kA":"v\n","n":[{"b":null},true,-3,2.5,18446744073709551615]})"));
  // A later member replaces an earlier one, also when it makes the request wrong.
  EXPECT_EQ(errorMessage(R"({"id":1,"op":"x","args":{"a":1},"args":"s"})"), "args must be an object");
  EXPECT_EQ(errorMessage(R"({"id":1,"id":null,"op":"x"})").substr(0, 10), "id must be");
  EXPECT_EQ(errorMessage(R"({"id":1,"op":{"a":"b"}})"), "request has no op (a string)");
  EXPECT_EQ(errorMessage(R"({"id":[1],"op":"x"})").substr(0, 10), "id must be");
  // The envelope is one document: nothing may follow it.
  EXPECT_NE(errorMessage(R"({"id":1,"op":"x"} {})").find("not valid JSON"), std::string::npos);
  EXPECT_EQ(errorMessage("7"), "request must be a JSON object");
  // args: null counts as none.
  auto none = Envelope::decode(R"({"id":2,"op":"x","args":null})");
  ASSERT_TRUE(std::holds_alternative<Request>(none));
  EXPECT_TRUE(std::get<Request>(none).args.empty());
}

TEST(Envelope, ParsesOneMessageAfterAnother) {
  // The parser is reused per thread: a failed message leaves nothing behind for the next.
  EXPECT_NE(errorMessage(R"({"id":1,"op":"x","args":{"a":[1,{"b":)").find("not valid JSON"), std::string::npos);
  auto r = Envelope::decode(R"({"id":3,"op":"y","args":{"c":1}})");
  ASSERT_TRUE(std::holds_alternative<Request>(r));
  EXPECT_EQ(boost::json::value(std::get<Request>(r).args), boost::json::parse(R"({"c":1})"));
}

TEST(Envelope, RefusesDeepNesting) {
  std::string deep = R"({"id":1,"op":"x","args":{"a":)" + std::string(100, '[') + std::string(100, ']') + "}}";
  EXPECT_NE(errorMessage(deep).find("not valid JSON"), std::string::npos);
}

TEST(Envelope, EncodesRepliesErrorsAndEvents) {
  EXPECT_EQ(Envelope::result(3, boost::json::object{{"ok", true}}), R"({"id":3,"result":{"ok":true}})");
  EXPECT_EQ(Envelope::error(3, {ErrorCode::RateLimited, "slow down", 1500}),
            R"({"id":3,"error":{"code":"rate_limited","message":"slow down","retryAfterMs":1500}})");
  EXPECT_EQ(Envelope::error(nullptr, ApiError::invalidArgument("bad")),
            R"({"id":null,"error":{"code":"invalid_argument","message":"bad"}})");
  EXPECT_EQ(Envelope::event("rooms.message", "project_1", boost::json::object{{"offset", 4}}),
            R"({"event":"rooms.message","target":"project_1","data":{"offset":4}})");
}

TEST(ErrorCodes, EveryCodeRoundTripsItsName) {
  for (int i = 0; i <= static_cast<int>(ErrorCode::UnknownOp); ++i) {
    auto code = static_cast<ErrorCode>(i);
    EXPECT_EQ(errorCodeFromString(toString(code)), code);
    EXPECT_GE(httpStatus(code), 400);
  }
}

TEST(Envelope, RefusesNumbersThatOverflowToInfinity) {
  // Found by fuzz_envelope: echoed back, 1e400 would have become `Infinity`, which is not JSON.
  EXPECT_EQ(errorMessage(R"({"id":1,"op":"sys.echo","args":{"a":[1,{"b":-1e400}]}})"),
            "args holds a number too large for JSON");
  auto ok = Envelope::decode(R"({"id":1,"op":"sys.echo","args":{"a":1.5e300}})");
  EXPECT_TRUE(std::holds_alternative<Request>(ok));
}
