#pragma once
// The sections of a subscriber's offer it may not receive (its authority said no), by mid, each
// with the reason reported in the subscribe's `rejected` list (e.g. "subscribe_type").
#include <map>
#include <string>

namespace onair::streams {

using RefusedSections = std::map<std::string, std::string>;

}  // namespace onair::streams
