//===- ApiResult.h - C API status codes with messages, for C++ --*- C++ -*-===//
//
// fmrt::Status carries a message only; code written over the C API also
// needs its fmrt_status code. ApiStatus and ApiResult<T> carry both. They
// are header-only: fmrt.hpp returns them, and libfmrt's own implementation
// of the C API produces them.
//
//===----------------------------------------------------------------------===//
#ifndef FMRT_APIRESULT_H
#define FMRT_APIRESULT_H

#include "fmrt/Status.h"
#include "fmrt/fmrt.h"

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace fmrt {

class ApiStatus {
public:
  ApiStatus() = default;
  static ApiStatus success() { return ApiStatus(); }
  static ApiStatus error(fmrt_status code, std::string message) {
    assert(code != FMRT_OK && "an error needs an error code");
    ApiStatus status;
    status.code_ = code;
    status.message_ = std::move(message);
    return status;
  }
  bool ok() const { return code_ == FMRT_OK; }
  explicit operator bool() const { return ok(); }
  fmrt_status code() const { return code_; }
  const std::string &message() const { return message_; }

private:
  fmrt_status code_ = FMRT_OK;
  std::string message_;
};

/// A value or the ApiStatus explaining why there is none.
template <typename T> using ApiResult = BasicExpected<T, ApiStatus>;

} // namespace fmrt

#endif // FMRT_APIRESULT_H
