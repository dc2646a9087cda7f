#pragma once
// Takes the y-websocket message back out of a payload that collab::wrapMessage made, the way each
// framing's client reads it; fails the test when the prefix does not name `document`.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/BinaryFrame.hpp"
#include "collab/Framing.hpp"
#include "collab/yjs/Lib0Reader.hpp"

namespace onair::collab::test {

inline std::vector<uint8_t> unwrapMessage(Framing framing, std::string_view document, std::string_view payload) {
  const auto bytes = [](std::string_view text) { return std::vector<uint8_t>(text.begin(), text.end()); };
  switch (framing) {
    case Framing::YWebsocket:
      return bytes(payload);
    case Framing::Hocuspocus: {
      yjs::Lib0Reader reader({reinterpret_cast<const uint8_t*>(payload.data()), payload.size()});
      std::string_view name;
      EXPECT_TRUE(reader.readVarString(name)) << "no document name";
      EXPECT_EQ(name, document);
      return bytes(payload.substr(payload.size() - reader.remaining()));
    }
    case Framing::Onair: {
      std::string error;
      auto frame = api::BinaryFrame::parse(payload, error);
      EXPECT_TRUE(frame) << error;
      if (!frame) return {};
      EXPECT_EQ(frame->target, "yjs:" + std::string(document));
      EXPECT_EQ(frame->flags, 0);
      return bytes(frame->payload);
    }
  }
  ADD_FAILURE() << "unknown framing";
  return {};
}

}  // namespace onair::collab::test
