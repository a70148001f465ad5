//===- Status.h - Error values without exceptions ---------------*- C++ -*-===//
//
// The runtime is built without exceptions (it is linked into MLIR-based tools
// that use -fno-exceptions), so fallible calls return a Status or an
// Expected<T> carrying a human-readable message.
//
//===----------------------------------------------------------------------===//
#ifndef FMRT_STATUS_H
#define FMRT_STATUS_H

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace fmrt {

class Status {
public:
  static Status success() { return Status(); }
  static Status error(std::string message) {
    Status s;
    s.message_ = std::move(message);
    s.failed_ = true;
    return s;
  }
  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const std::string &message() const { return message_; }

private:
  bool failed_ = false;
  std::string message_;
};

/// A value or the status explaining why there is none. `StatusT` is Status
/// here and ApiStatus (which adds the C API's code) in fmrt.hpp's results.
template <typename T, typename StatusT = Status> class BasicExpected {
public:
  BasicExpected(T value) : value_(std::move(value)) {}
  BasicExpected(StatusT status) : status_(std::move(status)) {
    assert(!status_.ok() && "an Expected built from a status must be an error");
  }
  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }
  const StatusT &status() const { return status_; }
  T &operator*() { return *value_; }
  const T &operator*() const { return *value_; }
  T *operator->() { return &*value_; }
  const T *operator->() const { return &*value_; }
  T take() { return std::move(*value_); }

private:
  std::optional<T> value_;
  StatusT status_;
};

template <typename T> using Expected = BasicExpected<T, Status>;

} // namespace fmrt

#endif // FMRT_STATUS_H
