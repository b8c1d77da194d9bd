/**
 * The codecs under test, each with the factory call that builds it, so that every property in the codec tests
 * runs against all of them (and against zstd at its extreme levels).
 */
import { type CodecFactory, silentLogger } from '@dwcp/core'
import type { FrameAlgorithm } from '../../frame.js'
import { lz4Codec } from '../lz4-codec.js'
import { zstdCodec } from '../zstd-codec.js'
import { zstdLongCodec } from '../zstd-long-codec.js'

/** One codec configuration under test. */
export interface CodecCase {
  /** Test label. */
  label: string
  /** Algorithm its frames carry. */
  algorithm: FrameAlgorithm
  /** Level its frames carry. */
  level: number
  /** Builds it with an optional bound. */
  factory(maxChunkBytes?: number): CodecFactory
  /** Largest chunk the properties use: high levels are slow, so their chunks stay small. */
  maxTestBytes: number
}

/** Every codec of this folder, zstd at its fastest, default and ultra levels. */
export const CODEC_CASES: readonly CodecCase[] = [
  {
    label: 'lz4',
    algorithm: 'lz4',
    level: 0,
    factory: (maxChunkBytes) => lz4Codec({ maxChunkBytes }),
    maxTestBytes: 150_000,
  },
  {
    label: 'zstd -128',
    algorithm: 'zstd',
    level: -128,
    factory: (maxChunkBytes) => zstdCodec({ level: -128, maxChunkBytes }),
    maxTestBytes: 150_000,
  },
  {
    label: 'zstd 3',
    algorithm: 'zstd',
    level: 3,
    factory: (maxChunkBytes) => zstdCodec({ maxChunkBytes }),
    maxTestBytes: 150_000,
  },
  {
    label: 'zstd 22',
    algorithm: 'zstd',
    level: 22,
    factory: (maxChunkBytes) => zstdCodec({ level: 22, maxChunkBytes }),
    maxTestBytes: 20_000,
  },
  {
    label: 'zstd-long 19',
    algorithm: 'zstd-long',
    level: 19,
    factory: (maxChunkBytes) => zstdLongCodec({ maxChunkBytes }),
    maxTestBytes: 20_000,
  },
]

/** Components with no metrics, for tests that do not count. */
export const quietComponents = { logger: silentLogger() }
