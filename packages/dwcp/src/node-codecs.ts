import type { Codec, CodecComponents, CodecFactory, ComponentHealth, Mode, PathClass } from '@dwcp/core'
import {
  adaptiveCodec,
  chunkDecoder,
  lz4Codec,
  lz4UnlessFaster,
  noneCodec,
  zeroChunks,
  zstdCodec,
  zstdLongCodec,
} from '@dwcp/hde'
import type { ModeDefaults } from './mode-defaults.js'

/** Largest chunk a transfer carries (AMST's `maxChunkBytes`): the bound of every chunk decode. */
export const MAX_TRANSFER_CHUNK_BYTES = 16 * 1024 * 1024

/** The codecs a node encodes and decodes its bulk bytes with. */
export interface NodeCodecs {
  /** The codec of the node's mode (what `node.codec` reports). */
  primary: Codec
  /** The codec for a path of `pathClass` (in hybrid mode the class of each path picks it). */
  forClass(pathClass: PathClass): Codec
  /** Decodes every chunk frame a peer may send. */
  decoder: Codec
  /** What health reports for the codec role. */
  health: ComponentHealth
}

/**
 * The node's codecs (DESIGN.md §1). Every default sends an all-zero chunk as a bare frame header. Datacenter
 * paths get lz4 (the runbook's `compression.algorithm: lz4`), sent as it is instead when the path is measured
 * faster than lz4 encodes; internet paths the adaptive codec choosing per chunk among none, lz4, zstd 1, zstd 3
 * and zstd-max (zstd 19, 128 MiB window) by the path's forecast (`zstd-max` with `ml_enabled`, the runbook's
 * internet setting), or zstd-max on every chunk with `adaptive: false`. A custom codec encodes and decodes
 * everything, unwrapped: it sees every byte.
 */
export function nodeCodecs(
  mode: Mode,
  defaults: ModeDefaults,
  custom: CodecFactory | undefined,
  components: CodecComponents,
  options: { adaptive?: boolean } = {},
): NodeCodecs {
  if (custom) {
    const codec = custom(components)
    return {
      primary: codec,
      forClass: () => codec,
      decoder: codec,
      health: { status: 'up', implementation: `custom (${codec.name})` },
    }
  }
  const maxChunkBytes = MAX_TRANSFER_CHUNK_BYTES
  const zero = (codec: Codec): Codec => zeroChunks(codec, { maxChunkBytes, ...metricsOf(components) })
  const datacenter = zero(lz4UnlessFaster({ lz4: lz4Codec()(components), none: noneCodec()(components) }))
  const internet = zero(
    options.adaptive === false
      ? zstdLongCodec()(components)
      : adaptiveCodec({
          candidates: [
            { name: 'none', algorithm: 'none', codec: noneCodec()(components) },
            { name: 'lz4', algorithm: 'lz4', codec: lz4Codec()(components) },
            { name: 'zstd-1', algorithm: 'zstd', codec: zstdCodec({ level: 1 })(components) },
            { name: 'zstd-3', algorithm: 'zstd', codec: zstdCodec({ level: 3 })(components) },
            { name: 'zstd-max', algorithm: 'zstd-long', codec: zstdLongCodec()(components) },
          ],
        })(components),
  )
  const byClass = (pathClass: PathClass): Codec => (pathClass === 'datacenter' ? datacenter : internet)
  const primary = mode === 'datacenter' ? datacenter : internet
  const implementation =
    mode === 'datacenter'
      ? 'lz4 (none when the path is faster than lz4), zero chunks as headers'
      : mode === 'internet'
        ? `${options.adaptive === false ? 'zstd-max' : 'adaptive up to zstd-max'}, zero chunks as headers`
        : 'per path: lz4 on datacenter paths, adaptive up to zstd-max on internet paths'
  return {
    primary,
    forClass: mode === 'hybrid' ? byClass : () => primary,
    decoder: chunkDecoder({ maxChunkBytes })({ logger: components.logger }),
    health: { status: 'up', implementation, details: { algorithm: defaults.compression.algorithm } },
  }
}

function metricsOf(components: CodecComponents): { metrics?: NonNullable<CodecComponents['metrics']> } {
  return components.metrics ? { metrics: components.metrics } : {}
}
