#pragma once
// Client messages that arrive before their document is open (a provider sends its sync step 1 and
// awareness at once), kept as copies until then. Bounded: a client that sends more than
// kMaxMessages or kMaxBytes before the open completes is misbehaving, and push() says so.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace onair::collab {

class PendingMessages {
 public:
  static constexpr size_t kMaxMessages = 256;
  static constexpr size_t kMaxBytes = 8 << 20;

  // False (nothing kept) when the bounds are reached.
  bool push(std::string_view message) {
    if (messages_.size() >= kMaxMessages || bytes_ + message.size() > kMaxBytes) return false;
    bytes_ += message.size();
    messages_.emplace_back(message);
    return true;
  }
  size_t bytes() const { return bytes_; }
  // The kept messages, oldest first; the queue is empty afterwards.
  std::vector<std::string> take() {
    bytes_ = 0;
    return std::move(messages_);
  }

 private:
  std::vector<std::string> messages_;
  size_t bytes_ = 0;
};

}  // namespace onair::collab
