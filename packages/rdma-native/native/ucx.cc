#include "ucx.h"

#include "ucx-worker.h"

namespace dwcp {
void InitUcx(Napi::Env env, Napi::Object exports) {
  UcxWorker::Register(env, exports);
}
}  // namespace dwcp
