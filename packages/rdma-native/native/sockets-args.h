// Argument parsing and errno errors shared by the socket functions (header-only: compiled into sockets.cc).
#pragma once
#include <napi.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <string>

namespace dwcp {
namespace sockets {

/** Throws a TypeError (a programming error in the caller, not an operational one) and returns undefined. */
inline Napi::Value ThrowType(Napi::Env env, const std::string& message) {
  Napi::TypeError::New(env, message).ThrowAsJavaScriptException();
  return env.Undefined();
}

/**
 * Throws an Error for a failed system call on a socket, carrying `errno` (number), `syscall`, `option` (e.g.
 * `TCP_CONGESTION`) and `fd`, and returns undefined. The TypeScript wrapper turns it into SocketOptionError.
 */
inline Napi::Value ThrowErrno(Napi::Env env, int err, const char* syscall, const char* option, int fd) {
  std::string message = std::string(syscall) + "(fd " + std::to_string(fd) + ", " + option + "): " + std::strerror(err);
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("errno", Napi::Number::New(env, err));
  error.Set("syscall", Napi::String::New(env, syscall));
  error.Set("option", Napi::String::New(env, option));
  error.Set("fd", Napi::Number::New(env, fd));
  error.ThrowAsJavaScriptException();
  return env.Undefined();
}

/** Reads argument `index` as an integer in [min, max]; on failure throws a TypeError and returns false. */
inline bool IntArg(const Napi::CallbackInfo& info, size_t index, const char* name, double min, double max,
                   double* out) {
  if (info.Length() <= index || !info[index].IsNumber()) {
    ThrowType(info.Env(), std::string(name) + " must be a number");
    return false;
  }
  double value = info[index].As<Napi::Number>().DoubleValue();
  if (!std::isfinite(value) || std::trunc(value) != value || value < min || value > max) {
    ThrowType(info.Env(), std::string(name) + " must be an integer in [" + std::to_string(static_cast<long long>(min)) +
                              ", " + std::to_string(static_cast<long long>(max)) + "]");
    return false;
  }
  *out = value;
  return true;
}

/** Reads argument 0 as a file descriptor (a non-negative int); on failure throws a TypeError and returns -1. */
inline int FdArg(const Napi::CallbackInfo& info) {
  double fd = 0;
  if (!IntArg(info, 0, "fd", 0, 2147483647.0, &fd)) return -1;
  return static_cast<int>(fd);
}

}  // namespace sockets
}  // namespace dwcp
