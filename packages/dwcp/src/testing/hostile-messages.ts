import type { Random } from '@dwcp/core'

/** What a hostile message is made of. */
export type HostileKind = 'random' | 'json' | 'mutated' | 'truncated' | 'extended' | 'replayed' | 'oversized'

/** Every kind, in the order the generator cycles through them. */
export const HOSTILE_KINDS: readonly HostileKind[] = [
  'random',
  'json',
  'mutated',
  'truncated',
  'extended',
  'replayed',
  'oversized',
]

/**
 * Words a hostile JSON message is built from: the field names and values of DWCP's own channels (migration
 * control, placement, records), so that random messages reach past the first shape check into the handlers.
 */
const WORDS = [
  'kind',
  'request',
  'reply',
  'reqId',
  'body',
  'type',
  'begin',
  'applied',
  'verify',
  'commit',
  'abort',
  'placement-set',
  'migrationId',
  'workloadId',
  'sizeBytes',
  'level',
  'pathClass',
  'messages',
  'scope',
  'key',
  'value',
  'host',
  'placement/vm-1',
  '../../etc/passwd',
  'ok',
  'error',
  '__proto__',
  'constructor',
]

/** Numbers that break careless arithmetic and bounds. */
const NUMBERS = [0, -1, 1, 4096, 2 ** 31, 2 ** 53, -(2 ** 53), 1e308, Number.NaN, 0.5, 22, 23]

/** A seeded generator of hostile messages, built from the random source and the valid messages seen so far. */
export class HostileMessages {
  readonly #random: Random
  readonly #maxBytes: number

  /**
   * @param random - seeded, so that a failing seed repeats
   * @param maxBytes - the largest message the transport carries (oversized messages go up to it)
   */
  constructor(random: Random, maxBytes: number) {
    this.#random = random
    this.#maxBytes = maxBytes
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.#random.next() * n)
  }

  /** One message of `kind`; `samples` are valid messages of the channel to mutate or replay. */
  make(kind: HostileKind, samples: readonly Uint8Array[]): Uint8Array {
    const sample = samples.length > 0 ? samples[this.int(samples.length)] : undefined
    switch (kind) {
      case 'random':
        return this.bytes(this.int(4) === 0 ? this.int(8) : this.int(2048))
      case 'json':
        return new TextEncoder().encode(this.jsonText())
      case 'mutated':
        return this.mutate(sample ?? this.bytes(64))
      case 'truncated': {
        const base = sample ?? new TextEncoder().encode(this.jsonText())
        return base.slice(0, this.int(Math.max(1, base.byteLength)))
      }
      case 'extended': {
        const base = sample ?? this.bytes(16)
        const out = new Uint8Array(base.byteLength + 1 + this.int(256))
        out.set(base)
        out.set(this.bytes(out.byteLength - base.byteLength), base.byteLength)
        return out
      }
      case 'replayed':
        return (sample ?? this.bytes(32)).slice()
      case 'oversized':
        return this.bytes(this.#maxBytes - this.int(1024))
    }
  }

  /** `length` random bytes. */
  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length)
    for (let i = 0; i < length; i += 4) {
      const word = Math.floor(this.#random.next() * 2 ** 32)
      out[i] = word & 0xff
      if (i + 1 < length) out[i + 1] = (word >>> 8) & 0xff
      if (i + 2 < length) out[i + 2] = (word >>> 16) & 0xff
      if (i + 3 < length) out[i + 3] = word >>> 24
    }
    return out
  }

  /** A copy of `bytes` with a few bits flipped, bytes overwritten or a range duplicated. */
  mutate(bytes: Uint8Array): Uint8Array {
    const out = bytes.slice()
    if (out.byteLength === 0) return this.bytes(1)
    const edits = 1 + this.int(4)
    for (let e = 0; e < edits; e++) {
      const at = this.int(out.byteLength)
      const how = this.int(3)
      if (how === 0) out[at] = (out[at] as number) ^ (1 << this.int(8))
      else if (how === 1) out[at] = this.int(256)
      else out.copyWithin(at, this.int(out.byteLength))
    }
    return out
  }

  /** Random JSON built from DWCP's own field names and values, nested a little. */
  jsonText(depth = 0): string {
    const pick = this.int(depth > 2 ? 4 : 7)
    if (pick === 0) return JSON.stringify(WORDS[this.int(WORDS.length)])
    if (pick === 1) {
      const n = NUMBERS[this.int(NUMBERS.length)] as number
      return Number.isFinite(n) ? String(n) : 'null'
    }
    if (pick === 2) return ['true', 'false', 'null'][this.int(3)] as string
    if (pick === 3) return JSON.stringify('x'.repeat(this.int(300)))
    if (pick === 4) {
      const items = Array.from({ length: this.int(4) }, () => this.jsonText(depth + 1))
      return `[${items.join(',')}]`
    }
    const fields = Array.from({ length: 1 + this.int(5) }, () => {
      const key = WORDS[this.int(WORDS.length)] as string
      return `${JSON.stringify(key)}:${this.jsonText(depth + 1)}`
    })
    return `{${fields.join(',')}}`
  }
}
