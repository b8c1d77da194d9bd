#pragma once
#include <napi.h>

namespace dwcp {
/** Registers the sockets functions on the module's exports. */
void InitSockets(Napi::Env env, Napi::Object exports);
}  // namespace dwcp
