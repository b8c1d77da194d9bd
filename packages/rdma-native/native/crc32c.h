#pragma once
#include <napi.h>

namespace dwcp {
/** Registers crc32c(bytes, previous) — CRC32C with the SSE4.2 instruction where the CPU has it. */
void InitCrc32c(Napi::Env env, Napi::Object exports);
}  // namespace dwcp
