/**
 * The gear table of the FastCDC rolling hash. It is part of the wire contract: sender and receiver must cut the
 * same bytes at the same places, or shared content stops deduplicating, so the table is derived from a fixed,
 * documented seed rather than from a random source or a constant array that could be edited by accident.
 */
import { createHash } from 'node:crypto'

/**
 * Seed of the gear table, format version 1. Entry `i` (0..255) is the first four bytes, read big-endian, of
 * SHA-256 over the ASCII bytes of this seed followed by the single byte `i`. Any implementation with a SHA-256
 * can rebuild the table from this sentence; changing the seed is a new chunking format.
 */
export const GEAR_SEED = 'dwcp/hde/fastcdc/gear/v1'

let gearTable: Int32Array | undefined

/**
 * The 256 gear values, as signed 32-bit integers so the hot loop stays in int32 arithmetic. Built from
 * {@link GEAR_SEED} on first use (256 hashes, well under a millisecond) and shared afterwards; callers must not
 * write to it.
 */
export function gear(): Int32Array {
  gearTable ??= buildGearTable(GEAR_SEED)
  return gearTable
}

function buildGearTable(seed: string): Int32Array {
  const prefix = Buffer.from(seed, 'ascii')
  const table = new Int32Array(256)
  const input = Buffer.alloc(prefix.length + 1)
  prefix.copy(input)
  for (let i = 0; i < 256; i++) {
    input[prefix.length] = i
    table[i] = createHash('sha256').update(input).digest().readInt32BE(0)
  }
  return table
}
