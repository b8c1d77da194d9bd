#pragma once
#include <napi.h>

namespace dwcp {
/** Registers the ucx functions on the module's exports. */
void InitUcx(Napi::Env env, Napi::Object exports);
}  // namespace dwcp
