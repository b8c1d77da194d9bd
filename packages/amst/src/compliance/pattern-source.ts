import type { TransferSource } from '@dwcp/core'

/**
 * A deterministic object of any size, generated as it is read, so that tests and benchmarks can move gigabytes
 * without holding them: word i of the object is `i × 2654435761 mod 2^32`.
 */
export function patternSource(sizeBytes: number): TransferSource {
  return {
    sizeBytes,
    async read(offsetBytes, lengthBytes) {
      const length = Math.min(lengthBytes, sizeBytes - offsetBytes)
      const bytes = new Uint8Array(length)
      const words = new Uint32Array(bytes.buffer, 0, length >>> 2)
      const base = offsetBytes >>> 2
      for (let i = 0; i < words.length; i++) words[i] = Math.imul(base + i, 2654435761) >>> 0
      return bytes
    },
  }
}
