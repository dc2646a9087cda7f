#pragma once
// A value or the YjsError that prevented it (C++20 has no std::expected).
#include <optional>
#include <utility>

#include "collab/yjs/YjsError.hpp"

namespace onair::collab::yjs {

template <class T>
class Expected {
 public:
  Expected(T value) : value_(std::move(value)) {}  // NOLINT: implicit on purpose
  Expected(YjsError error) : error_(error) {}      // NOLINT: implicit on purpose

  explicit operator bool() const { return value_.has_value(); }
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  YjsError error() const { return error_; }

 private:
  std::optional<T> value_;
  YjsError error_ = YjsError::None;
};

}  // namespace onair::collab::yjs
