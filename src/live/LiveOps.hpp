#pragma once
// The client ops of live broadcasts (docs/protocol.md "Live broadcasts"): argument and grant
// checks, then LiveService.
namespace onair::api {
class OpRouter;
}
namespace onair::hub {
class ShardPool;
}

namespace onair::live {

class LiveService;

void registerLiveOps(api::OpRouter& router, LiveService& service, hub::ShardPool& pool);

}  // namespace onair::live
