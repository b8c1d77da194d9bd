/** Counters a dedup encoder or decoder keeps, for metrics and for tests of what a transfer cost. */

/** What a dedup encoder or decoder has seen since it was created. All counts only grow. */
export interface DedupStats {
  /** Bytes of chunk content that went through (the stream's size, summed over calls). */
  bytesIn: number
  /** Bytes of chunks sent or resolved as `dedup-ref` frames. */
  bytesReferenced: number
  /** Bytes of chunks sent or received as literal frames. */
  bytesLiteral: number
  /** Chunks that went through: `referencedChunks + literalChunks`. */
  chunks: number
  /** Chunks sent or resolved as `dedup-ref` frames. */
  referencedChunks: number
  /** Chunks sent or received as literal frames. */
  literalChunks: number
  /** Bytes of frames produced (encoder) or consumed (decoder), headers included: the wire cost. */
  frameBytes: number
}

/** A zeroed {@link DedupStats}. */
export function emptyDedupStats(): DedupStats {
  return {
    bytesIn: 0,
    bytesReferenced: 0,
    bytesLiteral: 0,
    chunks: 0,
    referencedChunks: 0,
    literalChunks: 0,
    frameBytes: 0,
  }
}

/** Adds one chunk to `stats`. */
export function countChunk(
  stats: DedupStats,
  chunkBytes: number,
  frameBytes: number,
  referenced: boolean,
): void {
  stats.bytesIn += chunkBytes
  stats.chunks += 1
  stats.frameBytes += frameBytes
  if (referenced) {
    stats.bytesReferenced += chunkBytes
    stats.referencedChunks += 1
  } else {
    stats.bytesLiteral += chunkBytes
    stats.literalChunks += 1
  }
}
