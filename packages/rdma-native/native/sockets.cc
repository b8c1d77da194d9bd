#include "sockets.h"

namespace dwcp {
void InitSockets(Napi::Env env, Napi::Object exports) {}
}  // namespace dwcp
