/**
 * One decoder for every frame a chunk can travel as, whichever codec the sender chose: a node in one mode must
 * read what a node in another sends (hybrid clusters mix them), and a sender's adaptive codec may pick any of
 * them per chunk.
 */
import {
  type Codec,
  type CodecComponents,
  type CodecContext,
  type EncodedChunk,
  FrameCorruptError,
  InvalidArgumentError,
} from '@dwcp/core'
import { lz4Codec } from '../codecs/lz4-codec.js'
import { zstdCodec } from '../codecs/zstd-codec.js'
import { zstdLongCodec } from '../codecs/zstd-long-codec.js'
import { FRAME_ALGORITHMS, FRAME_HEADER_MIN_BYTES } from '../frame.js'
import { noneCodec } from '../none-codec.js'
import { decodeZeroFrame } from './zero-chunks.js'

/** Options of {@link chunkDecoder}. */
export interface ChunkDecoderInit {
  /** Largest original size a frame may announce: nothing larger is allocated. */
  maxChunkBytes: number
}

/**
 * A decode-only codec for the frames of whole chunks: `none`, `lz4`, `zstd`, `zstd-long` and `zero`. Frames
 * that need a baseline (`xbzrle`, `zstd-delta`, `same`, `dedup-ref`) are `DWCP_ERR_FRAME_CORRUPT` here: a chunk
 * of a transfer names no baseline. `encode` is refused (`DWCP_ERR_INVALID_ARGUMENT`).
 */
export function chunkDecoder(init: ChunkDecoderInit): (components: CodecComponents) => Codec {
  const { maxChunkBytes } = init
  return (components: CodecComponents): Codec => {
    // Decoders only: no metrics, so that decoding does not count as encoding in the HDE counters.
    const quiet: CodecComponents = { logger: components.logger }
    const byAlgorithm = new Map<number, Codec>([
      [FRAME_ALGORITHMS.none, noneCodec({ maxChunkBytes })(quiet)],
      [FRAME_ALGORITHMS.lz4, lz4Codec({ maxChunkBytes })(quiet)],
      [FRAME_ALGORITHMS.zstd, zstdCodec({ maxChunkBytes })(quiet)],
      [FRAME_ALGORITHMS['zstd-long'], zstdLongCodec({ maxChunkBytes })(quiet)],
    ])
    return {
      name: 'hde-chunks',
      async encode(): Promise<EncodedChunk> {
        throw new InvalidArgumentError('codec', 'the chunk decoder only decodes')
      },
      async decode(frame: Uint8Array, context: CodecContext): Promise<Uint8Array> {
        if (frame.byteLength < FRAME_HEADER_MIN_BYTES)
          throw new FrameCorruptError(`frame of ${frame.byteLength} bytes is shorter than a header`)
        const algorithm = frame[3] as number
        if (algorithm === FRAME_ALGORITHMS.zero) return decodeZeroFrame(frame, maxChunkBytes)
        const codec = byAlgorithm.get(algorithm)
        if (!codec) throw new FrameCorruptError(`algorithm id ${algorithm} is not a whole-chunk frame`)
        return codec.decode(frame, context)
      },
    }
  }
}
