import { crc32c } from '@dwcp/core'

type Crc32c = (bytes: Uint8Array, previous?: number) => number

let implementation: Crc32c = crc32c

/**
 * CRC32C for frames. Starts as `@dwcp/core`'s JavaScript implementation; transports that load the native addon
 * install its hardware CRC (the same function, an order of magnitude faster), since every byte on the wire is
 * checksummed twice.
 */
export function frameCrc32c(bytes: Uint8Array, previous = 0): number {
  return implementation(bytes, previous)
}

/** Installs a faster CRC32C after checking that it agrees with the reference. Returns whether it was taken. */
export function useCrc32c(candidate: Crc32c): boolean {
  const probe = new TextEncoder().encode('123456789')
  if (
    candidate(probe) !== 0xe3069283 ||
    candidate(probe.subarray(4), candidate(probe.subarray(0, 4))) !== 0xe3069283
  )
    return false
  implementation = candidate
  return true
}
