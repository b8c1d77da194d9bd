// CRC32C (Castagnoli) for the wire protocol's frames: the SSE4.2 crc32 instruction (8 bytes per step) when the
// CPU has it, a table otherwise. Same results as @dwcp/core's JavaScript crc32c.
#include "crc32c.h"

#include <cstdint>
#include <cstring>

namespace dwcp {
namespace {

uint32_t kTable[256];

void BuildTable() {
  for (uint32_t n = 0; n < 256; n++) {
    uint32_t c = n;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0x82F63B78u ^ (c >> 1) : c >> 1;
    kTable[n] = c;
  }
}

uint32_t Software(uint32_t crc, const uint8_t* data, size_t length) {
  for (size_t i = 0; i < length; i++) crc = kTable[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
  return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t Hardware(uint32_t crc, const uint8_t* data, size_t length) {
  uint64_t c = crc;
  while (length >= 8) {
    uint64_t word;
    std::memcpy(&word, data, 8);
    c = __builtin_ia32_crc32di(c, word);
    data += 8;
    length -= 8;
  }
  uint32_t c32 = static_cast<uint32_t>(c);
  while (length > 0) {
    c32 = __builtin_ia32_crc32qi(c32, *data);
    data++;
    length--;
  }
  return c32;
}
bool HasHardware() {
  return __builtin_cpu_supports("sse4.2");
}
#else
uint32_t Hardware(uint32_t crc, const uint8_t* data, size_t length) {
  return Software(crc, data, length);
}
bool HasHardware() {
  return false;
}
#endif

bool useHardware = false;

Napi::Value Crc32c(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsTypedArray()) {
    Napi::TypeError::New(env, "crc32c(bytes: Uint8Array, previous?: number)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Uint8Array bytes = info[0].As<Napi::Uint8Array>();
  uint32_t previous = info.Length() > 1 && info[1].IsNumber() ? info[1].As<Napi::Number>().Uint32Value() : 0;
  uint32_t crc = ~previous;
  crc = useHardware ? Hardware(crc, bytes.Data(), bytes.ByteLength()) : Software(crc, bytes.Data(), bytes.ByteLength());
  return Napi::Number::New(env, static_cast<double>(~crc));
}

}  // namespace

void InitCrc32c(Napi::Env env, Napi::Object exports) {
  BuildTable();
  useHardware = HasHardware();
  exports.Set("crc32c", Napi::Function::New(env, Crc32c, "crc32c"));
  exports.Set("crc32cHardware", Napi::Boolean::New(env, useHardware));
}

}  // namespace dwcp
