#include "net/AddressLimiter.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace onair::net {
namespace {

using boost::asio::ip::make_address;

TEST(AddressLimiter, RefusesTheConnectionOverTheCapUntilAPlaceIsGivenBack) {
  AddressLimiter limiter(2);
  auto a = limiter.admit(make_address("10.0.0.1"));
  auto b = limiter.admit(make_address("10.0.0.1"));
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(limiter.admit(make_address("10.0.0.1")));
  // Other addresses are counted apart.
  EXPECT_TRUE(limiter.admit(make_address("10.0.0.2")));
  a->release();
  EXPECT_EQ(limiter.count(make_address("10.0.0.1")), 1u);
  auto c = limiter.admit(make_address("10.0.0.1"));
  EXPECT_TRUE(c);
  EXPECT_FALSE(limiter.admit(make_address("10.0.0.1")));
}

TEST(AddressLimiter, APlaceIsGivenBackOnceWhenDestroyedOrMoved) {
  AddressLimiter limiter(1);
  {
    auto a = limiter.admit(make_address("10.0.0.1"));
    ASSERT_TRUE(a);
    AddressLimiter::Place moved = std::move(*a);
    a->release();  // moved from: gives nothing back
    EXPECT_EQ(limiter.count(make_address("10.0.0.1")), 1u);
  }
  EXPECT_EQ(limiter.count(make_address("10.0.0.1")), 0u);
  EXPECT_TRUE(limiter.admit(make_address("10.0.0.1")));
}

TEST(AddressLimiter, CountsAnIpv6Slash64AsOneAddressAndV4MappedAsIpv4) {
  AddressLimiter limiter(1);
  auto a = limiter.admit(make_address("2001:db8:1:2::1"));
  ASSERT_TRUE(a);
  EXPECT_FALSE(limiter.admit(make_address("2001:db8:1:2:ffff::9")));
  EXPECT_TRUE(limiter.admit(make_address("2001:db8:1:3::1")));
  auto v4 = limiter.admit(make_address("192.0.2.7"));
  ASSERT_TRUE(v4);
  EXPECT_FALSE(limiter.admit(make_address("::ffff:192.0.2.7")));
}

TEST(AddressLimiter, ZeroMeansNoCap) {
  AddressLimiter limiter(0);
  std::vector<AddressLimiter::Place> places;
  for (int i = 0; i < 100; ++i) {
    auto p = limiter.admit(make_address("10.0.0.1"));
    ASSERT_TRUE(p);
    places.push_back(std::move(*p));
  }
  EXPECT_EQ(limiter.count(make_address("10.0.0.1")), 0u);
}

TEST(AddressLimiter, PlacesMayOutliveTheLimiter) {
  std::optional<AddressLimiter::Place> place;
  {
    AddressLimiter limiter(1);
    place = limiter.admit(make_address("10.0.0.1"));
  }
  place->release();  // the shared table is still there (a connection closing after shutdown)
}

}  // namespace
}  // namespace onair::net
