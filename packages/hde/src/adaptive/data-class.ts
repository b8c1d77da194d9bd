/** Bytes the classifier samples from a chunk: enough for a stable byte histogram, cheap next to encoding. */
export const DEFAULT_SAMPLE_BYTES = 4096

/**
 * The class of a chunk for the adaptive selector: its sampled byte entropy, rounded to whole bits per byte
 * (`e0` … `e8`). Chunks of one class compress alike (zero and sparse pages, text and code, already compressed
 * data), so each algorithm's speed and ratio are learnt per class.
 */
export interface ChunkClass {
  /** `e0` … `e8`. */
  name: string
  /** Shannon entropy of the sample, in bits per byte (0..8). */
  entropyBitsPerByte: number
}

/**
 * Classifies a chunk from an evenly strided sample of at most `sampleBytes` bytes, taken in runs of 64 so that
 * local structure (repeats within a line or a record) shows as it would to a compressor.
 */
export function classifyChunk(chunk: Uint8Array, sampleBytes = DEFAULT_SAMPLE_BYTES): ChunkClass {
  const counts = new Uint32Array(256)
  let sampled = 0
  if (chunk.byteLength <= sampleBytes) {
    for (const byte of chunk) counts[byte] = (counts[byte] ?? 0) + 1
    sampled = chunk.byteLength
  } else {
    const runBytes = 64
    const runs = Math.max(1, Math.floor(sampleBytes / runBytes))
    const strideBytes = Math.floor(chunk.byteLength / runs)
    for (let run = 0; run < runs; run++) {
      const start = run * strideBytes
      const end = Math.min(chunk.byteLength, start + runBytes)
      for (let i = start; i < end; i++) {
        const byte = chunk[i] as number
        counts[byte] = (counts[byte] ?? 0) + 1
      }
      sampled += end - start
    }
  }
  let entropy = 0
  if (sampled > 0)
    for (const count of counts) {
      if (count === 0) continue
      const p = count / sampled
      entropy -= p * Math.log2(p)
    }
  return { name: `e${Math.round(entropy)}`, entropyBitsPerByte: entropy }
}
