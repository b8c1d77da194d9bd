/** The CRC part of the native addon's surface. */
export interface CrcBinding {
  /** CRC32C of `bytes`, continuing from `previous`; the SSE4.2 instruction when the CPU has it. */
  crc32c(bytes: Uint8Array, previous?: number): number
}

/** Names of the CRC exports the addon must have. */
export const CRC_EXPORTS: ReadonlyArray<keyof CrcBinding> = ['crc32c']
