#pragma once
// Ids a Router hands out: never reused within the process, 0 = none.
#include <cstdint>

namespace onair::rtc::sfu {

using TransportId = uint64_t;
using ProducerId = uint64_t;
using ConsumerId = uint64_t;
using DataProducerId = uint64_t;
using DataConsumerId = uint64_t;

}  // namespace onair::rtc::sfu
