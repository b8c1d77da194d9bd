/** A source of randomness, injected so that simulations replay from a seed. */
export interface Random {
  /** A float in [0, 1). */
  next(): number
}

/** `Math.random` as a {@link Random}: for production paths where no replay is needed. */
export function systemRandom(): Random {
  return { next: () => Math.random() }
}

/**
 * A seeded PRNG (sfc32, seeded through splitmix32): fast, 128 bits of state, good statistical quality, and the
 * same sequence for the same seed on every platform.
 */
export function seededRandom(seed: number): Random {
  let s = seed >>> 0
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
  let a = splitmix()
  let b = splitmix()
  let c = splitmix()
  let d = splitmix()
  return {
    next() {
      const t = (((a + b) >>> 0) + d) >>> 0
      d = (d + 1) >>> 0
      a = b ^ (b >>> 9)
      b = (c + (c << 3)) >>> 0
      c = (c << 21) | (c >>> 11)
      c = (c + t) >>> 0
      return t / 4294967296
    },
  }
}
