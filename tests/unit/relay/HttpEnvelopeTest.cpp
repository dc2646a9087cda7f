#include "relay/HttpEnvelope.hpp"

#include <gtest/gtest.h>

#include <string>

using onair::net::HttpRequest;
using onair::net::HttpResponse;
using onair::relay::HttpEnvelope;

namespace {

std::string field(std::string_view bytes) {
  std::string out;
  const auto n = static_cast<uint32_t>(bytes.size());
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((n >> shift) & 0xff);
  return out + std::string(bytes);
}

}  // namespace

TEST(HttpEnvelope, RequestRoundTripsEveryFieldButTheRemoteAddress) {
  HttpRequest in{"POST", "/v1/stages/st_1/participants/p_2/disconnect", "a=1&b", "node-a:7880", "Bearer x.y.z",
                 "application/json", std::string("{\"reason\":\"bye\"}\0tail", 21), "10.0.0.9:5555"};
  std::string why;
  auto out = HttpEnvelope::decodeRequest(HttpEnvelope::encode(in), why);
  ASSERT_TRUE(out) << why;
  EXPECT_EQ(out->method, in.method);
  EXPECT_EQ(out->path, in.path);
  EXPECT_EQ(out->query, in.query);
  EXPECT_EQ(out->host, in.host);
  EXPECT_EQ(out->authorization, in.authorization);
  EXPECT_EQ(out->contentType, in.contentType);
  EXPECT_EQ(out->body, in.body);
  EXPECT_EQ(out->remote, "relay");  // the caller's address stays on the node it reached
}

TEST(HttpEnvelope, ResponseRoundTripsWithHeaders) {
  HttpResponse in{503, "application/json", "{\"error\":{}}", {{"Retry-After", "1"}, {"X-Empty", ""}}};
  std::string why;
  auto out = HttpEnvelope::decodeResponse(HttpEnvelope::encode(in), why);
  ASSERT_TRUE(out) << why;
  EXPECT_EQ(out->status, 503);
  EXPECT_EQ(out->contentType, in.contentType);
  EXPECT_EQ(out->body, in.body);
  EXPECT_EQ(out->headers, in.headers);
}

TEST(HttpEnvelope, RefusesCutShortOrOverlongFields) {
  std::string why;
  const std::string good = HttpEnvelope::encode(HttpRequest{"GET", "/v1/stages/x", "", "", "", "", "", ""});
  EXPECT_FALSE(HttpEnvelope::decodeRequest(good.substr(0, good.size() - 1), why));
  EXPECT_FALSE(why.empty());
  EXPECT_FALSE(HttpEnvelope::decodeRequest(good + std::string("\x00\x00", 2), why));  // a length cut short
  std::string runsPast = good.substr(0, good.size() - 4) + std::string("\x00\x00\x10\x00", 4);
  EXPECT_FALSE(HttpEnvelope::decodeRequest(runsPast, why));
}

TEST(HttpEnvelope, RefusesTheWrongNumberOfFields) {
  std::string why;
  EXPECT_FALSE(HttpEnvelope::decodeRequest(field("GET") + field("/v1"), why));
  EXPECT_FALSE(HttpEnvelope::decodeRequest("", why));
  EXPECT_FALSE(HttpEnvelope::decodeResponse(field("200") + field("text/plain"), why));                           // no body
  EXPECT_FALSE(HttpEnvelope::decodeResponse(field("200") + field("t") + field("b") + field("Only-A-Name"), why));  // half a header
  std::string many;
  for (size_t i = 0; i <= HttpEnvelope::kMaxFields; ++i) many += field("x");
  EXPECT_FALSE(HttpEnvelope::decodeResponse(many, why));
}

TEST(HttpEnvelope, RefusesAStatusThatIsNoHttpStatus) {
  std::string why;
  for (const char* status : {"", "abc", "99", "600", "2000", "20x", "-200"}) {
    EXPECT_FALSE(HttpEnvelope::decodeResponse(field(status) + field("t") + field("b"), why)) << status;
  }
  EXPECT_TRUE(HttpEnvelope::decodeResponse(field("204") + field("") + field(""), why));
}

TEST(HttpEnvelope, RefusesHeadersThatWouldBreakTheResponse) {
  std::string why;
  for (auto [name, value] : {std::pair<std::string, std::string>{"X-A\r\nSet-Cookie", "v"}, {"X-A", "v\r\nSet-Cookie: x"},
                             {"", "v"}, {"X:A", "v"}, {"X-A", std::string("v\0w", 3)}}) {
    EXPECT_FALSE(HttpEnvelope::decodeResponse(field("200") + field("t") + field("b") + field(name) + field(value), why)) << name;
  }
}
