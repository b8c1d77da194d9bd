// Module entry: each concern registers its functions on the exports object.
#include <napi.h>

#include "crc32c.h"
#include "sockets.h"
#include "ucx.h"
#include "verbs.h"

namespace dwcp {

static Napi::Value Version(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), "0.1.0");
}

}  // namespace dwcp

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  exports.Set("version", Napi::Function::New(env, dwcp::Version, "version"));
  dwcp::InitCrc32c(env, exports);
  dwcp::InitVerbs(env, exports);
  dwcp::InitSockets(env, exports);
  dwcp::InitUcx(env, exports);
  return exports;
}

NODE_API_MODULE(dwcp_rdma, InitModule)
