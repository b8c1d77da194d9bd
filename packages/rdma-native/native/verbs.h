#pragma once
#include <napi.h>

namespace dwcp {
/** Registers the verbs functions on the module's exports. */
void InitVerbs(Napi::Env env, Napi::Object exports);
}  // namespace dwcp
