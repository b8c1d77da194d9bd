import type { Mode } from './mode.js'

/** Baselines (earlier versions of pages/blocks) both sides hold, for delta encoding. */
export interface BaselineStore {
  /** The baseline with this id, if still held. */
  get(id: string): Uint8Array | undefined
  /** Stores a baseline; may evict others (deterministically, so both sides agree). */
  put(id: string, bytes: Uint8Array): void
  /** Whether the baseline is held. */
  has(id: string): boolean
}

/** What an encoder may know about the moment it encodes in. */
export interface CodecContext {
  /** The node's mode (datacenter favours speed, internet favours size). */
  mode: Mode
  /** Predicted bandwidth of the path in bits per second, if a predictor is wired. */
  predictedBandwidthBps?: number
  /** Cores the encoder may use. */
  cpuBudgetCores?: number
  /** Baselines for delta encoding. */
  baselines?: BaselineStore
  /** Id of the baseline the chunk is a new version of, if any. */
  baselineId?: string
}

/** A self-describing encoded frame. */
export interface EncodedChunk {
  /** Encoded bytes (header included: algorithm, level, baseline, sizes, checksum). */
  frame: Uint8Array
  /** Algorithm that produced it (e.g. `none`, `lz4`, `zstd-19`, `delta-xor`). */
  algorithm: string
  /** Baseline the frame names, if it is a delta. */
  baselineId?: string
  /** Size before encoding. */
  originalBytes: number
}

/** Turns chunks into frames and back. `decode` needs nothing but the frame and the baselines it names. */
export interface Codec {
  /** Codec name as advertised in the handshake. */
  readonly name: string
  /** Encodes one chunk. */
  encode(chunk: Uint8Array, context: CodecContext): Promise<EncodedChunk>
  /** Decodes one frame; a corrupt frame rejects with `DWCP_ERR_FRAME_CORRUPT`, never returns wrong bytes. */
  decode(frame: Uint8Array, context: CodecContext): Promise<Uint8Array>
}

/** Components a codec factory receives. */
export interface CodecComponents {
  logger: import('./logger.js').Logger
  metrics?: import('./metrics.js').Metrics
}

/** A codec factory in the two-step style. */
export type CodecFactory = (components: CodecComponents) => Codec
