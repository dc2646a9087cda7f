// Broker contract (engine/Broker.hpp), run against every engine.
#include "ConformanceFixture.hpp"

namespace onair::conformance {
namespace {

class BrokerConformance : public EngineConformance {};

struct Delivery {
  std::string topic;
  std::string payload;
};

TEST_P(BrokerConformance, HandlerReceivesEachTopicInPublishOrder) {
  constexpr int kPerTopic = 100;
  const auto red = name("red");
  const auto blue = name("blue");
  Collector<Delivery> deliveries;
  auto collect = deliveries.callback();
  engine().broker().setHandler([collect](const std::string& topic, const engine::Broker::Payload& payload) {
    collect(Delivery{topic, payload ? *payload : std::string("<null>")});
  });

  for (int i = 0; i < kPerTopic; ++i) {
    engine().broker().publish(red, std::make_shared<const std::string>("red-" + std::to_string(i)));
    // Payloads are bytes: embedded NULs and non-ASCII must arrive intact.
    engine().broker().publish(blue, std::make_shared<const std::string>(std::string("blue\0", 5) + "\xff" +
                                                                        std::to_string(i)));
  }

  auto got = deliveries.waitFor(2 * kPerTopic);
  std::vector<std::string> redPayloads, bluePayloads;
  for (const auto& d : got) {
    if (d.topic == red) redPayloads.push_back(d.payload);
    else if (d.topic == blue) bluePayloads.push_back(d.payload);
    else ADD_FAILURE() << "delivery for a topic nobody published to: " << d.topic;
  }
  ASSERT_EQ(redPayloads.size(), static_cast<size_t>(kPerTopic));
  ASSERT_EQ(bluePayloads.size(), static_cast<size_t>(kPerTopic));
  for (int i = 0; i < kPerTopic; ++i) {
    EXPECT_EQ(redPayloads[i], "red-" + std::to_string(i));
    EXPECT_EQ(bluePayloads[i], std::string("blue\0", 5) + "\xff" + std::to_string(i));
  }
  EXPECT_EQ(deliveries.snapshot().size(), static_cast<size_t>(2 * kPerTopic)) << "each event must arrive once";
}

ONAIR_INSTANTIATE_CONFORMANCE(BrokerConformance);

}  // namespace
}  // namespace onair::conformance
