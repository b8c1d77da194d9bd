import { loadNative } from '../loader.js'

/**
 * The native CRC32C (hardware crc32 instruction where available), or undefined when the addon is not loaded.
 * The wire protocol checksums every byte it carries: this is its fast path; `@dwcp/core`'s crc32c is the
 * reference it must agree with.
 */
export function nativeCrc32c(): ((bytes: Uint8Array, previous?: number) => number) | undefined {
  try {
    return loadNative().crc32c
  } catch {
    return undefined
  }
}
