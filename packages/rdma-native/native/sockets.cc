// Socket options Node does not expose, on the file descriptor of a live socket: per-socket congestion control,
// buffer sizes, TCP_NOTSENT_LOWAT, TCP_INFO, and MPTCP checks. Every failed system call throws an Error carrying
// `errno`, `syscall`, `option` and `fd` (see sockets-args.h); src/sockets/ turns it into SocketOptionError.
#include "sockets.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "sockets-args.h"
#include "sockets-tcp-info.h"

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

namespace dwcp {
namespace {

using sockets::FdArg;
using sockets::IntArg;
using sockets::ThrowErrno;
using sockets::ThrowType;

/** Longest congestion control name Linux accepts (TCP_CA_NAME_MAX is 16, including the NUL). */
constexpr size_t kCongestionNameMax = 15;

Napi::Value SetIntOption(const Napi::CallbackInfo& info, int level, int name, const char* option) {
  int fd = FdArg(info);
  if (fd < 0) return info.Env().Undefined();
  double value = 0;
  if (!IntArg(info, 1, "bytes", 0, 2147483647.0, &value)) return info.Env().Undefined();
  int v = static_cast<int>(value);
  if (setsockopt(fd, level, name, &v, sizeof v) != 0) return ThrowErrno(info.Env(), errno, "setsockopt", option, fd);
  return info.Env().Undefined();
}

Napi::Value GetIntOption(const Napi::CallbackInfo& info, int level, int name, const char* option) {
  int fd = FdArg(info);
  if (fd < 0) return info.Env().Undefined();
  int v = 0;
  socklen_t len = sizeof v;
  if (getsockopt(fd, level, name, &v, &len) != 0) return ThrowErrno(info.Env(), errno, "getsockopt", option, fd);
  // Every option read here is a size or a threshold; read it unsigned so that no value comes back negative.
  return Napi::Number::New(info.Env(), static_cast<unsigned int>(v));
}

Napi::Value SetCongestion(const Napi::CallbackInfo& info) {
  int fd = FdArg(info);
  if (fd < 0) return info.Env().Undefined();
  if (info.Length() < 2 || !info[1].IsString()) return ThrowType(info.Env(), "name must be a string");
  std::string name = info[1].As<Napi::String>().Utf8Value();
  // Linux silently truncates a longer name, which could select another algorithm: refuse it instead.
  if (name.empty() || name.size() > kCongestionNameMax || name.find('\0') != std::string::npos) {
    return ThrowType(info.Env(), "name must be 1 to 15 bytes without NUL");
  }
  if (setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name.data(), static_cast<socklen_t>(name.size())) != 0) {
    return ThrowErrno(info.Env(), errno, "setsockopt", "TCP_CONGESTION", fd);
  }
  return info.Env().Undefined();
}

Napi::Value GetCongestion(const Napi::CallbackInfo& info) {
  int fd = FdArg(info);
  if (fd < 0) return info.Env().Undefined();
  char name[64] = {0};
  socklen_t len = sizeof name;
  if (getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name, &len) != 0) {
    return ThrowErrno(info.Env(), errno, "getsockopt", "TCP_CONGESTION", fd);
  }
  return Napi::String::New(info.Env(), name, strnlen(name, len));
}

Napi::Value SetSendBufferBytes(const Napi::CallbackInfo& info) {
  return SetIntOption(info, SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF");
}
Napi::Value GetSendBufferBytes(const Napi::CallbackInfo& info) {
  return GetIntOption(info, SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF");
}
Napi::Value SetReceiveBufferBytes(const Napi::CallbackInfo& info) {
  return SetIntOption(info, SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF");
}
Napi::Value GetReceiveBufferBytes(const Napi::CallbackInfo& info) {
  return GetIntOption(info, SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF");
}
Napi::Value SetNotSentLowatBytes(const Napi::CallbackInfo& info) {
  return SetIntOption(info, IPPROTO_TCP, TCP_NOTSENT_LOWAT, "TCP_NOTSENT_LOWAT");
}
Napi::Value GetNotSentLowatBytes(const Napi::CallbackInfo& info) {
  return GetIntOption(info, IPPROTO_TCP, TCP_NOTSENT_LOWAT, "TCP_NOTSENT_LOWAT");
}

Napi::Value TcpInfo(const Napi::CallbackInfo& info) {
  int fd = FdArg(info);
  if (fd < 0) return info.Env().Undefined();
  struct tcp_info ti;
  std::memset(&ti, 0, sizeof ti);
  socklen_t len = sizeof ti;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0) {
    return ThrowErrno(info.Env(), errno, "getsockopt", "TCP_INFO", fd);
  }
  return sockets::TcpInfoObject(info.Env(), ti, len);
}

/** { domain, type, protocol } of a socket (SO_DOMAIN, SO_TYPE, SO_PROTOCOL), e.g. AF_INET, SOCK_STREAM, TCP. */
Napi::Value SocketProtocol(const Napi::CallbackInfo& info) {
  int fd = FdArg(info);
  if (fd < 0) return info.Env().Undefined();
  const struct {
    const char* key;
    int name;
    const char* option;
  } options[] = {{"domain", SO_DOMAIN, "SO_DOMAIN"}, {"type", SO_TYPE, "SO_TYPE"}, {"protocol", SO_PROTOCOL, "SO_PROTOCOL"}};
  Napi::Object result = Napi::Object::New(info.Env());
  for (const auto& o : options) {
    int v = 0;
    socklen_t len = sizeof v;
    if (getsockopt(fd, SOL_SOCKET, o.name, &v, &len) != 0) {
      return ThrowErrno(info.Env(), errno, "getsockopt", o.option, fd);
    }
    result.Set(o.key, Napi::Number::New(info.Env(), v));
  }
  return result;
}

Napi::Value IsMptcp(const Napi::CallbackInfo& info) {
  int fd = FdArg(info);
  if (fd < 0) return info.Env().Undefined();
  int protocol = 0;
  socklen_t len = sizeof protocol;
  if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &len) != 0) {
    return ThrowErrno(info.Env(), errno, "getsockopt", "SO_PROTOCOL", fd);
  }
  return Napi::Boolean::New(info.Env(), protocol == IPPROTO_MPTCP);
}

/** Tries socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP) and closes it: { ok: true } or { ok: false, errno, message }. */
Napi::Value ProbeMptcpSocket(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object result = Napi::Object::New(env);
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_MPTCP);
  if (fd < 0) {
    int err = errno;
    result.Set("ok", Napi::Boolean::New(env, false));
    result.Set("errno", Napi::Number::New(env, err));
    result.Set("message", Napi::String::New(env, std::strerror(err)));
    return result;
  }
  close(fd);
  result.Set("ok", Napi::Boolean::New(env, true));
  return result;
}

}  // namespace

void InitSockets(Napi::Env env, Napi::Object exports) {
  const struct {
    const char* name;
    Napi::Value (*fn)(const Napi::CallbackInfo&);
  } functions[] = {
      {"setCongestion", SetCongestion},
      {"getCongestion", GetCongestion},
      {"setSendBufferBytes", SetSendBufferBytes},
      {"getSendBufferBytes", GetSendBufferBytes},
      {"setReceiveBufferBytes", SetReceiveBufferBytes},
      {"getReceiveBufferBytes", GetReceiveBufferBytes},
      {"setNotSentLowatBytes", SetNotSentLowatBytes},
      {"getNotSentLowatBytes", GetNotSentLowatBytes},
      {"tcpInfo", TcpInfo},
      {"socketProtocol", SocketProtocol},
      {"isMptcp", IsMptcp},
      {"probeMptcpSocket", ProbeMptcpSocket},
  };
  for (const auto& f : functions) exports.Set(f.name, Napi::Function::New(env, f.fn, f.name));
}

}  // namespace dwcp
