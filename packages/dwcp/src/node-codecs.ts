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
  /** Whether the host gave its own codec: it then sees every byte, the frames the node builds itself included. */
  custom: boolean
}

/**
 * The node's codecs (DESIGN.md §1), from the mode's `compression` defaults (or the node's tuning of them). Every
 * default sends an all-zero chunk as a bare frame header. `lz4` (datacenter, the runbook's level 1: LZ4 has one
 * speed) sends a chunk as it is instead when the path is measured faster than lz4 encodes; `zstd` and `zstd-max`
 * (zstd 19, 128 MiB window) compress every chunk at their level, or with `mlEnabled` (the runbook's internet
 * setting) let the adaptive codec choose per chunk among none, lz4, zstd 1, zstd 3 and the algorithm itself by the
 * path's forecast; `adaptive` (hybrid) chooses among all of them. In hybrid mode a datacenter path gets lz4 and an
 * internet path the mode's codec. A custom codec encodes and decodes everything, unwrapped: it sees every byte.
 */
export function nodeCodecs(
  mode: Mode,
  defaults: ModeDefaults,
  custom: CodecFactory | undefined,
  components: CodecComponents,
): NodeCodecs {
  if (custom) {
    const codec = custom(components)
    return {
      primary: codec,
      forClass: () => codec,
      decoder: codec,
      health: { status: 'up', implementation: `custom (${codec.name})` },
      custom: true,
    }
  }
  const maxChunkBytes = MAX_TRANSFER_CHUNK_BYTES
  const zero = (codec: Codec): Codec => zeroChunks(codec, { maxChunkBytes, ...metricsOf(components) })
  const { algorithm, level, mlEnabled } = defaults.compression
  const lz4 = zero(lz4UnlessFaster({ lz4: lz4Codec()(components), none: noneCodec()(components) }))
  const configured = algorithm === 'lz4' ? lz4 : zero(compressor(algorithm, level, mlEnabled, components))
  const primary = configured
  return {
    primary,
    forClass:
      mode === 'hybrid' ? (pathClass) => (pathClass === 'datacenter' ? lz4 : configured) : () => primary,
    decoder: chunkDecoder({ maxChunkBytes })({ logger: components.logger }),
    health: {
      status: 'up',
      implementation: describe(mode, algorithm, level, mlEnabled),
      details: { algorithm, ...(level === undefined ? {} : { level }), mlEnabled },
    },
    custom: false,
  }
}

/** The zstd codec of `algorithm`, or the adaptive codec choosing up to it when `mlEnabled`. */
function compressor(
  algorithm: 'zstd' | 'zstd-max' | 'adaptive',
  level: number | undefined,
  mlEnabled: boolean,
  components: CodecComponents,
): Codec {
  const strongest =
    algorithm === 'zstd'
      ? { name: `zstd-${level ?? 3}`, codec: zstdCodec({ level: level ?? 3 })(components) }
      : { name: 'zstd-max', codec: zstdLongCodec(level === undefined ? {} : { level })(components) }
  if (algorithm !== 'adaptive' && !mlEnabled) return strongest.codec
  const candidates = [
    { name: 'none', algorithm: 'none' as const, codec: noneCodec()(components) },
    { name: 'lz4', algorithm: 'lz4' as const, codec: lz4Codec()(components) },
    { name: 'zstd-1', algorithm: 'zstd' as const, codec: zstdCodec({ level: 1 })(components) },
    { name: 'zstd-3', algorithm: 'zstd' as const, codec: zstdCodec({ level: 3 })(components) },
  ]
  const top =
    algorithm === 'zstd'
      ? { name: strongest.name, algorithm: 'zstd' as const, codec: strongest.codec }
      : { name: 'zstd-max', algorithm: 'zstd-long' as const, codec: strongest.codec }
  return adaptiveCodec({
    candidates: candidates.some((c) => c.name === top.name) ? candidates : [...candidates, top],
  })(components)
}

function describe(mode: Mode, algorithm: string, level: number | undefined, mlEnabled: boolean): string {
  const main =
    algorithm === 'lz4'
      ? 'lz4 (none when the path is faster than lz4)'
      : algorithm === 'adaptive' || mlEnabled
        ? `adaptive up to ${algorithm === 'adaptive' ? 'zstd-max' : algorithm}`
        : `${algorithm}${level === undefined ? '' : ` level ${level}`}`
  return mode === 'hybrid'
    ? `per path: lz4 on datacenter paths, ${main} on internet paths; zero chunks as headers`
    : `${main}, zero chunks as headers`
}

function metricsOf(components: CodecComponents): { metrics?: NonNullable<CodecComponents['metrics']> } {
  return components.metrics ? { metrics: components.metrics } : {}
}
