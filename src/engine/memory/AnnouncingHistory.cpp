#include "engine/memory/AnnouncingHistory.hpp"

#include <memory>

namespace onair::engine::memory {

void AnnouncingHistory::append(AppendRequest request, std::function<void(Outcome<AppendResult>)> done) {
  if (!request.announce) return store_.append(std::move(request), std::move(done));
  // The message's fields outlive the request, which the store takes.
  auto message = std::make_shared<StreamMessage>(StreamMessage{0, 0, request.publisher, request.type, request.dataJson});
  auto topic = std::make_shared<std::string>(request.stream);
  store_.append(std::move(request), [this, message, topic, done = std::move(done)](Outcome<AppendResult> r) {
    if (auto* result = std::get_if<AppendResult>(&r); result && !result->duplicate) {
      message->offset = result->offset;
      message->timestampMs = result->timestampMs;
      broker_.announce(*topic, *message, result->epoch);
    }
    done(std::move(r));
  });
}

}  // namespace onair::engine::memory
