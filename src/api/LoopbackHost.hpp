#pragma once
// Whether an HTTP Host header names this machine's loopback: `localhost`, an IPv4 address in
// 127.0.0.0/8 or `[::1]`, each with or without `:port`. Routes for local development only (demo
// tokens) check it, so a page on another origin that rebinds its DNS name to 127.0.0.1 (its Host
// header stays its own name) cannot call them from a victim's browser.
//
// Pure and bounded: input is the header as received; anything over 261 bytes is refused unread.
#include <string_view>

namespace onair::api {

bool isLoopbackHost(std::string_view host);

}  // namespace onair::api
