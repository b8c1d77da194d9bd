/**
 * The fingerprints of the updates a replica saw most recently, so that a rumor heard again (from another
 * peer, or a retransmission) is dropped without handing it to Yjs: in a gossiping cluster most received
 * rumors are repeats, and each Yjs apply costs a transaction. Bounded: the oldest fingerprints are forgotten
 * first. A false match (two updates with one fingerprint, about 2^-53 per pair) only skips a rumor, which
 * anti-entropy then repairs: it never makes a replica accept wrong state.
 */
export class SeenUpdates {
  private readonly seen = new Set<number>()

  constructor(private readonly capacity: number) {}

  /** Records `update`; returns false when it was already recorded. */
  add(update: Uint8Array): boolean {
    const fingerprint = fingerprintOf(update)
    if (this.seen.has(fingerprint)) return false
    this.seen.add(fingerprint)
    if (this.seen.size > this.capacity) {
      // A Set iterates in insertion order: the first value is the oldest.
      const oldest = this.seen.values().next().value
      if (oldest !== undefined) this.seen.delete(oldest)
    }
    return true
  }
}

/** A 53-bit fingerprint: two FNV-1a hashes with different offsets, so it fits a safe integer. */
function fingerprintOf(bytes: Uint8Array): number {
  let a = 0x811c9dc5
  let b = 0x01000193 ^ bytes.byteLength
  for (let i = 0; i < bytes.byteLength; i++) {
    const byte = bytes[i]!
    a = Math.imul(a ^ byte, 0x01000193)
    b = Math.imul(b ^ byte, 0x5bd1e995)
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff)
}
