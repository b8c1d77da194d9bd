#include "ucx.h"

namespace dwcp {
void InitUcx(Napi::Env env, Napi::Object exports) {}
}  // namespace dwcp
