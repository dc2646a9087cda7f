#include "api/LoopbackHost.hpp"

#include <gtest/gtest.h>

#include <string>

using onair::api::isLoopbackHost;

TEST(LoopbackHost, AcceptsLoopbackNamesAndAddressesWithOrWithoutPort) {
  for (const char* host : {"localhost", "LocalHost", "localhost:7880", "127.0.0.1", "127.0.0.1:0", "127.1.2.3:65535",
                           "127.255.255.255", "[::1]", "[::1]:7880"}) {
    EXPECT_TRUE(isLoopbackHost(host)) << host;
  }
}

TEST(LoopbackHost, RefusesEverythingElse) {
  for (const char* host : {"", "evil.example", "evil.example:7880", "localhost.evil.example", "localhost.", "127.0.0.1.nip.io",
                           "128.0.0.1", "10.0.0.1", "0.0.0.0", "127.0.0", "127.0.0.1.", "127.0.0.01", "127.0.0.256",
                           "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:80:80", "localhost:x", "[::1", "[::2]", "[::ffff:127.0.0.1]",
                           "[::1]x", "[::1]:", "::1", " localhost", "localhost "}) {
    EXPECT_FALSE(isLoopbackHost(host)) << '"' << host << '"';
  }
  EXPECT_FALSE(isLoopbackHost("localhost:" + std::string(300, '1')));
}
