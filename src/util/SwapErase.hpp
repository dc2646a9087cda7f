#pragma once
// Erases one element of a vector-like container whose order does not matter: the last element
// takes its place, so nothing after it moves (O(1)). For small bags scanned linearly.
#include <utility>

namespace onair::util {

template <class Container>
void swapErase(Container& c, typename Container::value_type& element) {
  if (&element != &c.back()) element = std::move(c.back());
  c.pop_back();
}

}  // namespace onair::util
