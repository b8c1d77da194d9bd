/**
 * Seeded chunk generators for the codec tests: random, all-zero, text-like, binary-structured (memory-page-like
 * words) and mutated chunks, with empty and odd sizes among them. Large chunks are filled by a small PRNG from
 * a generated seed, which keeps generation fast and every case reproducible from the fast-check seed.
 */
import fc from 'fast-check'

/** The fast-check seed every codec property runs with, so a failure repeats exactly. */
export const CODEC_TEST_SEED = 0x0d3c_2024

/** Deterministic bytes from `seed` (xorshift32). */
export function seededBytes(lengthBytes: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(lengthBytes)
  let state = seed | 0 || 0x9e37_79b9
  for (let i = 0; i < lengthBytes; i += 1) {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    bytes[i] = state & 0xff
  }
  return bytes
}

const WORDS = [
  'page',
  'block',
  'vm',
  'migrate',
  'dirty',
  'the',
  'of',
  'kernel',
  '0x7f3a',
  'memory',
  '\n',
  '{"id":',
]

/** Text made of a small vocabulary, like logs and configuration. */
function textChunk(lengthBytes: number, seed: number): Uint8Array {
  const picks = seededBytes(lengthBytes, seed)
  const parts: string[] = []
  let size = 0
  for (let i = 0; size < lengthBytes; i += 1) {
    const word = WORDS[(picks[i % Math.max(1, picks.length)] ?? 0) % WORDS.length] ?? ''
    parts.push(word)
    size += word.length + 1
  }
  return new TextEncoder().encode(parts.join(' ')).subarray(0, lengthBytes)
}

/** 64-bit words as in a memory page: zeros, pointers into one region, small counters, a few random words. */
function structuredChunk(lengthBytes: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(lengthBytes)
  const view = new DataView(bytes.buffer)
  const noise = seededBytes(lengthBytes, seed)
  for (let offset = 0; offset + 8 <= lengthBytes; offset += 8) {
    const kind = (noise[offset] ?? 0) % 10
    if (kind < 4) continue
    if (kind < 7) {
      view.setUint32(offset, 0x0040_0000 + (noise[offset + 1] ?? 0) * 64, true)
      view.setUint32(offset + 4, 0x7f3a, true)
    } else if (kind < 9) {
      view.setUint32(offset, offset / 8, true)
    } else {
      bytes.set(noise.subarray(offset, offset + 8), offset)
    }
  }
  return bytes
}

/** A repetitive base with scattered byte edits, as a page that changed a little. */
function mutatedChunk(lengthBytes: number, seed: number, edits: number): Uint8Array {
  const bytes = structuredChunk(lengthBytes, seed)
  const positions = seededBytes(edits * 4, seed ^ 0x5555)
  const view = new DataView(positions.buffer)
  for (let i = 0; i < edits && lengthBytes > 0; i += 1) {
    const at = view.getUint32(i * 4, true) % lengthBytes
    bytes[at] = (bytes[at] ?? 0) ^ (1 + (i % 255))
  }
  return bytes
}

/** Chunks of every kind, up to `maxBytes`, including empty and odd sizes. */
export function chunkArbitrary(maxBytes: number): fc.Arbitrary<Uint8Array> {
  const size = fc.oneof(
    fc.integer({ min: 0, max: maxBytes }),
    fc.integer({ min: 0, max: Math.floor((maxBytes - 1) / 2) }).map((half) => half * 2 + 1),
    fc.constantFrom(0, 1, Math.min(4096, maxBytes), maxBytes),
  )
  const seed = fc.integer()
  return fc.oneof(
    fc.tuple(size, seed).map(([length, s]) => seededBytes(length, s)),
    size.map((length) => new Uint8Array(length)),
    fc.tuple(size, seed).map(([length, s]) => textChunk(length, s)),
    fc.tuple(size, seed).map(([length, s]) => structuredChunk(length, s)),
    fc.tuple(size, seed, fc.integer({ min: 1, max: 64 })).map(([length, s, e]) => mutatedChunk(length, s, e)),
    fc.uint8Array({ maxLength: Math.min(64, maxBytes) }),
  )
}
