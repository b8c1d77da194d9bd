/**
 * CRC32C for HDE frames and baseline names, computed with the CPU's CRC32 instruction through @node-rs/crc32
 * (several GB/s). The table-driven CRC32C of @dwcp/core computes the same function at under 1 GB/s, which made
 * the checksum cost as much as zstd -1 on a whole VM image; the test checks the two agree.
 */
import { crc32c as nativeCrc32c } from '@node-rs/crc32'

/**
 * The CRC32C of `bytes`, continuing from `previous` (the CRC of the data before it; 0 when none), as an unsigned
 * 32-bit integer: `frameCrc32c(b, frameCrc32c(a))` equals `frameCrc32c(a ++ b)`.
 */
export function frameCrc32c(bytes: Uint8Array, previous = 0): number {
  // The binding takes a Buffer; a view over the same memory costs no copy.
  const view = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return nativeCrc32c(view, previous) >>> 0
}
