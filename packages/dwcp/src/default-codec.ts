import type { CodecComponents, CodecFactory } from '@dwcp/core'
import { adaptiveCodec, lz4Codec, noneCodec, zstdCodec, zstdLongCodec } from '@dwcp/hde'
import type { ModeDefaults } from './mode-defaults.js'

/**
 * The codec of a mode's `compression.algorithm` (DESIGN.md §1): `lz4` where the link is faster than any
 * compressor (datacenter), `zstd-max` (zstd 19 with a 128 MiB window) where bytes are dear (internet), and in
 * hybrid mode the adaptive codec choosing per chunk among none, lz4, zstd-1, zstd-3 and zstd-max by predicted delivery
 * time. Delta encoding and dedup are applied by the migration layer, which knows what the receiver holds.
 */
export function defaultCodec(defaults: ModeDefaults): CodecFactory {
  switch (defaults.compression.algorithm) {
    case 'lz4':
      return lz4Codec()
    case 'zstd-max':
      return zstdLongCodec()
    case 'adaptive':
      return (components: CodecComponents) =>
        adaptiveCodec({
          candidates: [
            { name: 'none', algorithm: 'none', codec: noneCodec()(components) },
            { name: 'lz4', algorithm: 'lz4', codec: lz4Codec()(components) },
            { name: 'zstd-1', algorithm: 'zstd', codec: zstdCodec({ level: 1 })(components) },
            { name: 'zstd-3', algorithm: 'zstd', codec: zstdCodec({ level: 3 })(components) },
            { name: 'zstd-max', algorithm: 'zstd-long', codec: zstdLongCodec()(components) },
          ],
        })(components)
  }
}
