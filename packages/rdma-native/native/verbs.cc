#include "verbs.h"

namespace dwcp {
void InitVerbs(Napi::Env env, Napi::Object exports) {}
}  // namespace dwcp
