#include "rooms/EventText.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

using onair::rooms::EventText;
namespace json = boost::json;

TEST(EventText, DirectCarriesTheSenderAndTheDataAsIs) {
  auto v = json::parse(EventText::direct("demo_mesh", "offer", R"({"sdp":"v=0\r\n"})", "alice", "s_1", 1733300000123));
  const auto& e = v.as_object();
  EXPECT_EQ(e.at("event"), "room.direct");
  EXPECT_EQ(e.at("target"), "demo_mesh");
  const auto& d = e.at("data").as_object();
  EXPECT_EQ(d.at("type"), "offer");
  EXPECT_EQ(d.at("data").at("sdp"), "v=0\r\n");
  EXPECT_EQ(d.at("from"), "alice");
  EXPECT_EQ(d.at("fromSession"), "s_1");
  EXPECT_EQ(d.at("timestamp").to_number<int64_t>(), 1733300000123);
  EXPECT_EQ(d.size(), 5u);
}

TEST(EventText, DirectEscapesNamesAndTypes) {
  auto v = json::parse(EventText::direct("r", "a\"b\\c", "null", "u\"1", "s\n", 0));
  const auto& d = v.at("data").as_object();
  EXPECT_EQ(d.at("type"), "a\"b\\c");
  EXPECT_EQ(d.at("from"), "u\"1");
  EXPECT_EQ(d.at("fromSession"), "s\n");
  EXPECT_TRUE(d.at("data").is_null());
}
